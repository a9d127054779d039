# Run by `cmake --install`: installs include/raftvault/raftvault.h and every project header it
# includes, transitively, under PREFIX/include/raftvault/, each include of a project header
# ("actors/storage.h", found through the source root in the build) rewritten to
# <raftvault/actors/storage.h>, so that an embedder compiles with -I PREFIX/include alone.
# Computing the set here, not listing it, keeps the package right when a public header starts
# including another one. A public header that includes anything else in quotes (a generated
# protobuf header, a test header) is refused: the embedder could not compile it.
#
# Inputs: RAFTVAULT_SOURCE_DIR, RAFTVAULT_STAGING_DIR (a scratch directory in the build tree),
# RAFTVAULT_INCLUDE_DIR (include/ under the install prefix).
cmake_policy(VERSION 3.25)  # also under `cmake -P` and cmake_install.cmake, which set none
set(_layers "actors|codec|fileio|keys|raftlog")
set(_umbrella "include/raftvault/raftvault.h")
set(_queue "${_umbrella}")
set(_done "")
file(REMOVE_RECURSE "${RAFTVAULT_STAGING_DIR}")

while(_queue)
  list(POP_FRONT _queue _header)
  if(_header IN_LIST _done)
    continue()
  endif()
  list(APPEND _done "${_header}")
  file(READ "${RAFTVAULT_SOURCE_DIR}/${_header}" _text)

  string(REGEX MATCHALL "#include \"[^\"]*\"" _includes "${_text}")
  foreach(_include IN LISTS _includes)
    string(REGEX REPLACE "#include \"([^\"]*)\"" "\\1" _included "${_include}")
    if(NOT _included MATCHES "^(${_layers})/[A-Za-z0-9_]+\\.h$")
      message(FATAL_ERROR "${_header} is a public header (reached from ${_umbrella}) and "
                          "includes \"${_included}\", which is no header of raftvault's layers; "
                          "an installed consumer could not compile it")
    endif()
    list(APPEND _queue "${_included}")
  endforeach()
  string(REGEX REPLACE "#include \"((${_layers})/[A-Za-z0-9_]+\\.h)\"" "#include <raftvault/\\1>"
         _text "${_text}")

  if(_header STREQUAL _umbrella)
    set(_installed_as "raftvault.h")
  else()
    set(_installed_as "${_header}")
  endif()
  get_filename_component(_subdir "${_installed_as}" DIRECTORY)
  file(WRITE "${RAFTVAULT_STAGING_DIR}/${_installed_as}" "${_text}")
  file(INSTALL DESTINATION "${RAFTVAULT_INCLUDE_DIR}/raftvault/${_subdir}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${RAFTVAULT_STAGING_DIR}/${_installed_as}")
endwhile()
