// The subcommands of the `raftvault` tool; each takes the words after its name and returns the
// process exit code (args.h: 0 ok, 1 refused or damaged, 2 usage).
#pragma once

namespace raftvault::cli {

int cmd_init(int argc, char** argv);
int cmd_status(int argc, char** argv);
int cmd_dump(int argc, char** argv);
int cmd_verify(int argc, char** argv);
int cmd_import(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_rotate_dek(int argc, char** argv);
int cmd_unlock_key(int argc, char** argv);
int cmd_autolock(int argc, char** argv);
int cmd_demo(int argc, char** argv);

}  // namespace raftvault::cli
