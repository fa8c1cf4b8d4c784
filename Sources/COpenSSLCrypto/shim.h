// The SHA-256 compression of the system's OpenSSL libcrypto, for HMAC over keyed states that are
// copied by value (SHA256_CTX): no allocation and no locking per message. The low-level SHA256
// API is deprecated in OpenSSL 3 in favour of EVP, which would allocate a context per message.
#ifndef EXESDB_OPENSSL_SHIM_H
#define EXESDB_OPENSSL_SHIM_H
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#endif
