// Whether two directories given on the command line lie one inside the other, as the file
// system resolves them (symbolic links, "..", relative paths), also before they exist: the
// nearest existing parent is resolved and the rest of the path appended to it.
#pragma once

#include <string>

namespace raftvault::cli {

// Whether `inner` is `outer` or lies below it.
bool path_within(const std::string& inner, const std::string& outer);

}  // namespace raftvault::cli
