// RAII holders for the OpenSSL 3 objects auth/jwt uses. Internal to auth/jwt (and its tests).
#pragma once

#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace sextant::auth::jwt::ossl {

struct Free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free>;
using BnPtr = std::unique_ptr<BIGNUM, Free>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Free>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Free>;

// OpenSSL leaves errors on a per-thread queue; failures we report ourselves must not linger
// there for unrelated code (libcurl's TLS) to trip over.
struct ErrorQueueGuard {
  ~ErrorQueueGuard() { ERR_clear_error(); }
};

}  // namespace sextant::auth::jwt::ossl
