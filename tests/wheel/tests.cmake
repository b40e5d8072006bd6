# The wheel writer end to end: tlcpack pack, pip, twine (tests/wheel/e2e.sh).
add_test(NAME wheel/e2e
	COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/e2e.sh $<TARGET_FILE:tlcpack>)
set_tests_properties(wheel/e2e PROPERTIES LABELS "wheel;e2e" TIMEOUT 600)

# The zip64 test writes and reads back a member of 4 GiB and a bit: about
# two minutes on two cores, so it is labelled slow (ctest -LE slow skips it).
add_test(NAME zip/over_4gib COMMAND test_zip)
set_tests_properties(zip/over_4gib PROPERTIES LABELS slow TIMEOUT 1200
	ENVIRONMENT "TLC_TEST_SLOW=1;TLC_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
