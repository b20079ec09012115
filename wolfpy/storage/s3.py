"""Stored files in an S3-compatible bucket (``[storage] backend = "s3"``, ``wolfpy[s3]``).

Credentials come from boto3's usual sources (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role), never from wolfpy.toml.
Public files get plain object URLs; private ones (``private/…``) presigned URLs that
expire after ``[storage] signed_url_ttl`` seconds. ``/media/`` is not used.
"""
from __future__ import annotations

from typing import IO, Any, Mapping

from ..errors import MissingExtra
from .base import Storage
from .local import PRIVATE_PREFIX


class S3Storage(Storage):
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 secret: str = "", signed_ttl: int = 3600, client: Any = None) -> None:
        if not bucket:
            raise ValueError("[storage] backend = \"s3\" needs [storage] bucket")
        if client is None:
            try:
                import boto3
            except ImportError:
                raise MissingExtra("s3", "boto3", "S3 storage ([storage] backend = \"s3\")") from None
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.signed_ttl = signed_ttl

    def open(self, name: str) -> IO[bytes]:
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"]  # type: ignore[no-any-return]

    def save(self, name: str, content: IO[bytes], *, metadata: Mapping[str, str] | None = None) -> int:
        meta = dict(metadata or {})
        extra: dict[str, Any] = {"Metadata": {k: v.encode("ascii", "backslashreplace").decode()
                                              for k, v in meta.items()}}
        if "content_type" in meta:
            extra["ContentType"] = meta["content_type"]
        start = content.tell()
        self.client.upload_fileobj(content, self.bucket, name, ExtraArgs=extra)  # multipart, streamed
        return self.size(name) if start == 0 else content.tell() - start

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except Exception as exc:  # botocore's ClientError, without importing botocore here
            if getattr(exc, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def size(self, name: str) -> int:
        return int(self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"])

    def metadata(self, name: str) -> dict[str, str]:
        return dict(self.client.head_object(Bucket=self.bucket, Key=name).get("Metadata", {}))

    def url(self, name: str) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": name}
        if not name.startswith(PRIVATE_PREFIX):
            # A presigned URL without expiry is not possible; public objects need a public bucket.
            base = (self.endpoint_url or f"https://{self.bucket}.s3.amazonaws.com").rstrip("/")
            return f"{base}/{self.bucket}/{name}" if self.endpoint_url else f"{base}/{name}"
        return self.client.generate_presigned_url(  # type: ignore[no-any-return]
            "get_object", Params=params, ExpiresIn=self.signed_ttl)
