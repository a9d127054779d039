# What `cmake --install build --prefix P` puts under P (docs/embedding.md): the layer libraries,
# the public headers under include/raftvault/, the raftvault and raftvault-bench programs, the
# CMake package (find_package(raftvault CONFIG) -> raftvault::raftvault) and raftvault.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RAFTVAULT_LAYER_LIBRARIES raftvault_actors raftvault_raftlog raftvault_keys raftvault_fileio
    raftvault_codec)  # highest first: the link order of static archives
foreach(lib ${RAFTVAULT_LAYER_LIBRARIES})
  string(REPLACE "raftvault_" "" short_name ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short_name})
endforeach()

# The one target an embedder links: the public headers and every layer below them.
add_library(raftvault_package INTERFACE)
set_target_properties(raftvault_package PROPERTIES EXPORT_NAME raftvault)
target_include_directories(raftvault_package INTERFACE
                           $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(raftvault_package INTERFACE ${RAFTVAULT_LAYER_LIBRARIES})
# The same name for a project that adds this tree with add_subdirectory.
add_library(raftvault::raftvault ALIAS raftvault_package)

install(TARGETS ${RAFTVAULT_LAYER_LIBRARIES} raftvault_package EXPORT raftvault-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS raftvault raftvault-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(CODE "
  set(RAFTVAULT_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
  set(RAFTVAULT_STAGING_DIR \"${PROJECT_BINARY_DIR}/public-headers\")
  set(RAFTVAULT_INCLUDE_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/install_public_headers.cmake\")")

# The CMake package. It finds CAF and libsodium with the find modules this build uses
# (neither ships a CMake package on Debian), installed beside the config file.
set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/raftvault)
install(EXPORT raftvault-targets NAMESPACE raftvault:: DESTINATION ${package_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/raftvault-config.cmake.in
                              ${PROJECT_BINARY_DIR}/raftvault-config.cmake
                              INSTALL_DESTINATION ${package_dir})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/raftvault-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/raftvault-config.cmake
              ${PROJECT_BINARY_DIR}/raftvault-config-version.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindSodium.cmake
        DESTINATION ${package_dir})

# raftvault.pc, relocatable: its prefix is found from where the file is.
file(RELATIVE_PATH pc_to_prefix "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
set(pc_libs "")
foreach(lib ${RAFTVAULT_LAYER_LIBRARIES})
  string(APPEND pc_libs " -l${lib}")
endforeach()
get_filename_component(caf_library_dir "${CAF_CORE_LIBRARY}" DIRECTORY)
set(pc_caf_libs "-lcaf_core")
if(NOT caf_library_dir IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES)
  set(pc_caf_libs "-L${caf_library_dir} -lcaf_core")
endif()
set(pc_caf_cflags "")
if(NOT CAF_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  set(pc_caf_cflags " -I${CAF_INCLUDE_DIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/raftvault.pc.in ${PROJECT_BINARY_DIR}/raftvault.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/raftvault.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The public headers, from the source tree, hand an embedder no unprefixed macro.
# examples/embed/check.sh runs the same check on an installed prefix.
add_test(NAME "package: public headers define no unprefixed macro"
         COMMAND ${PROJECT_SOURCE_DIR}/cmake/check_public_macros.sh ${CMAKE_CXX_COMPILER}
                 -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR} -I${CAF_INCLUDE_DIR})
