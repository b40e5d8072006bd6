# Index pages read by real pip: tests/index/render.c writes the pages of a
# tiny wheel set and tests/index/pip.sh installs from them (find-links,
# file:// and an HTTP server with PEP 691 JSON on 127.0.0.1).
add_executable(tlc_index_render ${CMAKE_CURRENT_LIST_DIR}/render.c)
target_link_libraries(tlc_index_render PRIVATE tlcpack_lib)
add_test(NAME index/pip COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/pip.sh)
set_tests_properties(index/pip PROPERTIES
	LABELS "index;pip"
	SKIP_RETURN_CODE 77
	TIMEOUT 300
	ENVIRONMENT "TLC_INDEX_RENDER=$<TARGET_FILE:tlc_index_render>")
