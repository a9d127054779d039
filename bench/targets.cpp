#include "bench/targets.h"

#include <cstdio>

#include "bench/report.h"

namespace raftvault::bench {

bool target::passes() const {
  if (!value) return false;
  return kind == bound::at_least ? *value >= limit : *value <= limit;
}

double target::ratio() const { return value && limit != 0 ? *value / limit : 0; }

std::string target::line() const {
  char text[512];
  const char* op = kind == bound::at_least ? ">=" : "<=";
  if (!value) {
    std::snprintf(text, sizeof text, "%-62s %10s  target %s %-8g NOT MEASURED: %s", name.c_str(), "-", op,
                  limit, note.c_str());
  } else {
    std::snprintf(text, sizeof text, "%-62s %10.2f  target %s %-8g ratio %.2f  %s", name.c_str(), *value, op,
                  limit, ratio(), passes() ? "PASS" : "MISS");
  }
  return text;
}

std::string target::json() const {
  report fields("target");
  fields.add_json("name", name).add_json("op", kind == bound::at_least ? ">=" : "<=").add_json("limit", limit, 4);
  if (value) {
    fields.add_json("value", *value, 4).add_json("ratio", ratio(), 4).add_json("verdict", passes() ? "PASS" : "MISS");
  } else {
    fields.add_json("verdict", "NOT MEASURED");
  }
  if (!note.empty()) fields.add_json("note", note);
  return fields.json();
}

}  // namespace raftvault::bench
