// The error types (codec/error_types.h) and the macros the library's own code propagates them
// with. Private: no installed header includes this file, so an embedder gets no unprefixed
// macro (docs/embedding.md).
#pragma once

#include <utility>

#include "codec/error_types.h"

#define RV_CONCAT_INNER(a, b) a##b
#define RV_CONCAT(a, b) RV_CONCAT_INNER(a, b)

// RV_TRY(status_expr): return its error from the enclosing function if it failed.
#define RV_TRY(expr)                                       \
  do {                                                     \
    auto&& rv_try_result_ = (expr);                        \
    if (!rv_try_result_) return rv_try_result_.error();    \
  } while (false)

// RV_ASSIGN(decl, result_expr): declare `decl` from the value or return the error.
#define RV_ASSIGN(decl, expr) RV_ASSIGN_IMPL(RV_CONCAT(rv_assign_, __LINE__), decl, expr)
#define RV_ASSIGN_IMPL(tmp, decl, expr)    \
  auto tmp = (expr);                       \
  if (!tmp) return tmp.error();            \
  decl = std::move(tmp).value()
