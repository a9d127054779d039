#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace raftvault::cli {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

progress_bar::progress_bar(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

progress_bar::~progress_bar() { finish(); }

void progress_bar::update(std::uint64_t done) {
  done_ = done;
  draw(false);
}

void progress_bar::finish() {
  if (enabled_ && drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
  enabled_ = false;
}

void progress_bar::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double fraction = total_ == 0 ? 0.0 : std::min(1.0, double(done_) / double(total_));
  const int width = 24;
  const int filled = static_cast<int>(fraction * width);
  const double rate = seconds > 0 ? done_ / seconds : 0;
  std::string rate_text = unit_ == "B" ? human_bytes(rate) + "/s"
                                       : std::to_string(static_cast<std::uint64_t>(rate)) + " " + unit_ + "/s";
  std::string eta = "--";
  if (rate > 0 && total_ >= done_) eta = std::to_string(static_cast<std::uint64_t>((total_ - done_) / rate + 0.5)) + "s";
  char pct[8];
  std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(fraction * 100));
  std::cerr << "\r\033[K" << label_ << "  [" << std::string(filled, '#') << std::string(width - filled, '.')
            << "] " << pct << "  " << rate_text << "  ETA " << eta << std::flush;
}

}  // namespace raftvault::cli
