// A progress bar on stderr for long operations, drawn only when stderr is a terminal (never in
// pipes, logs or tests): "verify  [#######.....]  58%  12.3 MB/s  ETA 4s". Redrawn at most ten
// times a second; finish() clears the line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace raftvault::cli {

class progress_bar {
 public:
  // `unit` "B" shows byte rates (kB/s, MB/s), anything else "<n> <unit>/s".
  progress_bar(std::string label, std::uint64_t total, std::string unit);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  void set_total(std::uint64_t total) { total_ = total; }
  void update(std::uint64_t done);
  void finish();
  bool enabled() const { return enabled_; }

 private:
  void draw(bool force);
  std::string label_;
  std::uint64_t total_;
  std::string unit_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1.2 MB", "830 kB", "12 B" (powers of 1000, as rates are usually read).
std::string human_bytes(double bytes);

}  // namespace raftvault::cli
