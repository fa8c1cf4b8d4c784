// Typed entry points for libcurl's variadic functions (curl_easy_setopt, curl_easy_getinfo,
// curl_multi_setopt), which Swift cannot call, and the callbacks that keep what a delivery needs
// of a response.
#ifndef EXESDB_CURL_SHIM_H
#define EXESDB_CURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

/// The first bytes of a response body (for the log line of a refused delivery), its Retry-After
/// header and libcurl's error text.
typedef struct exesdb_curl_response {
    char body[512];
    size_t body_length;
    char retry_after[64];
    size_t retry_after_length;
    char error[CURL_ERROR_SIZE];
} exesdb_curl_response;

CURLcode exesdb_curl_set_long(CURL *easy, CURLoption option, long value);
CURLcode exesdb_curl_set_string(CURL *easy, CURLoption option, const char *value);
CURLcode exesdb_curl_set_headers(CURL *easy, struct curl_slist *headers);
/// Copies `length` bytes of `body` as the POST body.
CURLcode exesdb_curl_set_post_body(CURL *easy, const void *body, long length);
/// Keeps the response's first bytes, Retry-After and error text in `response` (cleared here).
CURLcode exesdb_curl_capture_response(CURL *easy, exesdb_curl_response *response);

long exesdb_curl_response_code(CURL *easy);
double exesdb_curl_total_seconds(CURL *easy);

CURLMcode exesdb_curl_multi_set_long(CURLM *multi, CURLMoption option, long value);
/// The next finished transfer of `multi`: 1 with `*easy` and `*result` set, or 0 when none is left.
int exesdb_curl_next_done(CURLM *multi, CURL **easy, CURLcode *result);

#endif
