#include "tools/commands.h"
#include "tools/report.h"
namespace raftvault::cli {
int cmd_demo(int, char**) { return fail("demo: not written yet"); }
}  // namespace raftvault::cli
