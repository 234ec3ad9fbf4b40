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
    set_tests_properties(${name} PROPERTIES
        LABELS "${ARG_LABEL}"
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;TLSLAB_BINARY=$<TARGET_FILE:tlslab>;QT_LOGGING_RULES=qt.network.ssl.warning=false")
endfunction()
