# Sanitized builds run the same tests two to five times slower (the asan preset sets 3): every test's time limit is
# multiplied by this factor, so that a limit still means "hung", not "instrumented".
set(TLSLAB_TEST_TIMEOUT_FACTOR 1 CACHE STRING "Multiplier for every test's time limit")

# tlslab_test_timeout(VAR SECONDS): SECONDS times TLSLAB_TEST_TIMEOUT_FACTOR, for tests not made by add_tlslab_test.
function(tlslab_test_timeout var seconds)
    math(EXPR scaled "${seconds} * ${TLSLAB_TEST_TIMEOUT_FACTOR}")
    set(${var} ${scaled} PARENT_SCOPE)
endfunction()

# add_tlslab_test(NAME LABEL <unit|gui|interop|cli|bench> SOURCES ... [LIBRARIES ...] [TIMEOUT s])
# Builds one test executable and registers it with CTest under a label.
function(add_tlslab_test name)
    cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LIBRARIES" ${ARGN})
    if(NOT ARG_LABEL)
        set(ARG_LABEL unit)
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    qt_add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE tlslab_options Qt6::Test ${ARG_LIBRARIES})
    add_test(NAME ${name} COMMAND ${name})
    tlslab_test_timeout(timeout ${ARG_TIMEOUT})
    set_tests_properties(${name} PROPERTIES
        LABELS "${ARG_LABEL}"
        TIMEOUT ${timeout}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;TLSLAB_BINARY=$<TARGET_FILE:tlslab>;QT_LOGGING_RULES=qt.network.ssl.warning=false")
endfunction()
