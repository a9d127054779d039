// The performance targets as `raftvault-bench all` checks them: each a measured value
// against a floor or a ceiling, printed with the value / limit ratio (>= 1 is good for a
// floor, <= 1 for a ceiling) and PASS or MISS, or NOT MEASURED with the reason.
#pragma once

#include <optional>
#include <string>

namespace raftvault::bench {

struct target {
  enum class bound { at_least, at_most };
  std::string name;
  bound kind = bound::at_least;
  double limit = 0;
  std::optional<double> value;  // nullopt: not measured in this run
  std::string note;             // why not measured, or what the value is against

  bool passes() const;
  double ratio() const;  // value / limit, 0 when either is missing or the limit is 0
  // "<name>  <value>  target >= <limit>  ratio <r>  PASS|MISS" (or NOT MEASURED: <note>).
  std::string line() const;
  // {"name": ..., "value": ..., "op": ">=", "limit": ..., "ratio": ..., "verdict": "PASS"}
  std::string json() const;
};

}  // namespace raftvault::bench
