#include "CurlShim.h"

#include <string.h>
#include <strings.h>

CURLcode exesdb_curl_set_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode exesdb_curl_set_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode exesdb_curl_set_headers(CURL *easy, struct curl_slist *headers) {
    return curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
}

CURLcode exesdb_curl_set_post_body(CURL *easy, const void *body, long length) {
    CURLcode code = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, length);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
}

// Keeps the first bytes of the body; the rest is read and discarded so the connection stays usable.
static size_t keep_body(char *data, size_t size, size_t count, void *context) {
    exesdb_curl_response *response = context;
    size_t length = size * count;
    size_t room = sizeof(response->body) - response->body_length;
    size_t kept = length < room ? length : room;
    memcpy(response->body + response->body_length, data, kept);
    response->body_length += kept;
    return length;
}

static size_t keep_retry_after(char *data, size_t size, size_t count, void *context) {
    exesdb_curl_response *response = context;
    size_t length = size * count;
    static const char name[] = "retry-after:";
    size_t name_length = sizeof(name) - 1;
    if (length <= name_length || strncasecmp(data, name, name_length) != 0) return length;
    size_t start = name_length;
    while (start < length && (data[start] == ' ' || data[start] == '\t')) start++;
    size_t end = length;
    while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' ')) end--;
    size_t kept = end - start;
    if (kept >= sizeof(response->retry_after)) kept = sizeof(response->retry_after) - 1;
    memcpy(response->retry_after, data + start, kept);
    response->retry_after[kept] = 0;
    response->retry_after_length = kept;
    return length;
}

CURLcode exesdb_curl_capture_response(CURL *easy, exesdb_curl_response *response) {
    memset(response, 0, sizeof(*response));
    CURLcode code = curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_body);
    if (code == CURLE_OK) code = curl_easy_setopt(easy, CURLOPT_WRITEDATA, response);
    if (code == CURLE_OK) code = curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, keep_retry_after);
    if (code == CURLE_OK) code = curl_easy_setopt(easy, CURLOPT_HEADERDATA, response);
    if (code == CURLE_OK) code = curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, response->error);
    return code;
}

long exesdb_curl_response_code(CURL *easy) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

double exesdb_curl_total_seconds(CURL *easy) {
    curl_off_t microseconds = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &microseconds);
    return (double)microseconds / 1e6;
}

CURLMcode exesdb_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

int exesdb_curl_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    int left = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &left)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}
