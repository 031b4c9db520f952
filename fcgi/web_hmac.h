/*
 * web_hmac.h — HMAC-SHA-256 (RFC 2104 over FIPS 180-4), for the admin's anti-forgery
 * tokens: a token is the HMAC of the authenticated user's name under a secret that only
 * the server knows (web_admin.c keeps it in data_dir), so a page of another site can
 * neither read nor compute it. Plain functions on caller-owned buffers; no state, no
 * allocation; safe anywhere.
 */
#ifndef WEB_HMAC_H
#define WEB_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define WEB_SHA256_SIZE 32

/* web_sha256 writes the SHA-256 digest of data[0..len) into out. */
void web_sha256(const void *data, size_t len, uint8_t out[WEB_SHA256_SIZE]);

/* web_hmac_sha256 writes HMAC-SHA-256(key, msg) into out. */
void web_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[WEB_SHA256_SIZE]);

/* web_hex writes len bytes as 2*len lower-case hex digits and a NUL into out. */
void web_hex(const uint8_t *bytes, size_t len, char *out);

/* web_equal_secret compares two strings in time that depends on their lengths only, so a
 * forger learns nothing from how fast a wrong token is refused. 1 when equal. */
int web_equal_secret(const char *a, const char *b);

#endif
