// The service worker of this site, served at /sw.js by WolfPy from [pwa] in wolfpy.toml.
// Pages: network-first (the server, else the cache, else the offline page).
// Fingerprinted assets under assets_prefix: cache-first (their names change when they do).
"use strict";
const CONFIG = /*CONFIG*/{};
const CACHE = "wolfpy-pwa-" + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([CONFIG.offline_page, ...CONFIG.precache]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("wolfpy-pwa-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function networkFirst(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (error) {
    return (await cache.match(request)) || (fallback && (await cache.match(fallback))) || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") cache.put(request, response.clone());
  return response;
}

function answer(strategy, request, fallback) {
  if (strategy === "cache-first") return cacheFirst(request);
  if (strategy === "network-first") return networkFirst(request, fallback);
  return fetch(request); // network-only
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith(CONFIG.assets_prefix)) {
    event.respondWith(answer(CONFIG.assets, request));
  } else if (request.mode === "navigate") {
    event.respondWith(answer(CONFIG.pages, request, CONFIG.offline_page));
  }
});
