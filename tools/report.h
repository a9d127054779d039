// How the CLI tells people what went wrong: ONE line on stderr, "raftvault: <what>: <what to
// do>", and exit code 1. Library errors already name the file, offset or key; this adds the
// operator's next step for the categories where there is an obvious one.
#pragma once

#include <string>

#include "codec/error.h"

namespace raftvault::cli {

// Prints "raftvault: <message>" (newlines folded) and returns kExitRefused.
int fail(const std::string& message);

// fail() with the error's message plus advice for its category; `data_dir` names the store in
// the advice.
int fail(const error& err, const std::string& data_dir);

// The advice alone ("" when there is none).
std::string advice_for(const error& err, const std::string& data_dir);

// The error's message plus its advice, as fail(err, data_dir) prints it.
std::string with_advice(const error& err, const std::string& data_dir);

// A line for people on stderr ("raftvault: ...").
void note(const std::string& message);
// A newer snapshot was damaged and skipped, so what follows comes from an older one (as a
// restart would start); `why` names the file and the check it failed.
void warn_skipped_snapshot(const std::string& why, const std::string& data_dir);

}  // namespace raftvault::cli
