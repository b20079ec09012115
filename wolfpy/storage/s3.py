"""Stored files in an S3-compatible bucket (``[storage] backend = "s3"``, ``wolfpy[s3]``).

Credentials come from boto3's usual sources (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role), never from wolfpy.toml.
Every file's URL is presigned and expires after ``[storage] signed_url_ttl`` seconds,
so the bucket stays private. ``/media/`` is not used.
"""
from __future__ import annotations

from typing import IO, Any, Mapping

from ..errors import MissingExtra
from .base import Storage


class _Unclosable:
    """``content`` with ``close()`` a no-op: boto3 closes what it uploaded, and the upload
    belongs to the request."""

    def __init__(self, content: IO[bytes]) -> None:
        self._content = content

    def read(self, n: int = -1) -> bytes:
        return self._content.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._content.seek(offset, whence)

    def tell(self) -> int:
        return self._content.tell()

    def close(self) -> None:
        pass


class S3Storage(Storage):
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 secret: str = "", signed_ttl: int = 3600, client: Any = None) -> None:
        if not bucket:
            raise ValueError("[storage] backend = \"s3\" needs [storage] bucket")
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise MissingExtra("s3", "boto3", "S3 storage ([storage] backend = \"s3\")") from None
            # Signature version 4: what every region and S3-compatible server accepts.
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                  config=Config(signature_version="s3v4"))
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
        self.client.upload_fileobj(_Unclosable(content), self.bucket, name, ExtraArgs=extra)  # streamed
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
        """A presigned URL valid for ``[storage] signed_url_ttl`` seconds, for every file:
        the bucket stays private. Make it when the page is rendered, not once for good."""
        return self.client.generate_presigned_url(  # type: ignore[no-any-return]
            "get_object", Params={"Bucket": self.bucket, "Key": name}, ExpiresIn=self.signed_ttl)
