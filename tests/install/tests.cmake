# install_check: tlc_install_scheme_detect() and tlc_install_wheel() for
# tests/cli/install/*.sh, which find it as $TLC_BUILD_DIR/tests/install_check.
add_executable(install_check ${CMAKE_CURRENT_LIST_DIR}/install_check.c)
target_link_libraries(install_check PRIVATE tlcpack_lib)
