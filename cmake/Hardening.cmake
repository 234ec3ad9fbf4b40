# Release hardening for every target of the project: the same protections Debian's dpkg-buildflags gives packages,
# so a plain `cmake --build` produces what the .deb ships.
#
# Directory-scoped (add_compile_options/add_link_options) on purpose, rather than on the tlslab_options target:
# hardening is a property of the whole build, like the compiler itself, and this file is included before any target
# exists. Turn it off with -DTLSLAB_HARDENING=OFF (e.g. to compare code generation).
#
#   -D_FORTIFY_SOURCE=3        only for optimised configurations: glibc's checks need -O1 or more, and warn otherwise
#   -fstack-protector-strong   canaries in functions with local arrays or address-taken locals
#   PIE                        position-independent executables, so ASLR also moves the program's own code
#   -Wl,-z,relro,-z,now        resolve all symbols at start-up, then make the GOT read-only
#   QT_NO_DEBUG_OUTPUT         qDebug()/qCDebug() compiled out of Release and MinSizeRel (kept in RelWithDebInfo,
#                              which the CI preset uses, so diagnostics stay available there)

option(TLSLAB_HARDENING "Build with hardening flags (fortify, stack protector, PIE, full RELRO)" ON)

if(TLSLAB_HARDENING AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    include(CheckCXXCompilerFlag)
    include(CheckPIESupported)

    set(_tlslab_optimised "$<CONFIG:Release,RelWithDebInfo,MinSizeRel>")

    # Undefine first: some toolchains (Ubuntu's GCC, for example) predefine _FORTIFY_SOURCE=2, and redefining it
    # would warn (an error under TLSLAB_WERROR).
    add_compile_options("$<${_tlslab_optimised}:-U_FORTIFY_SOURCE>" "$<${_tlslab_optimised}:-D_FORTIFY_SOURCE=3>")

    check_cxx_compiler_flag(-fstack-protector-strong TLSLAB_HAVE_STACK_PROTECTOR_STRONG)
    if(TLSLAB_HAVE_STACK_PROTECTOR_STRONG)
        add_compile_options(-fstack-protector-strong)
    endif()

    # CMP0083 (NEW since cmake_minimum_required 3.14) makes CMAKE_POSITION_INDEPENDENT_CODE also link with -pie.
    check_pie_supported(LANGUAGES CXX)
    set(CMAKE_POSITION_INDEPENDENT_CODE ON)

    if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
        add_link_options("LINKER:-z,relro" "LINKER:-z,now")
    endif()

    add_compile_definitions("$<$<CONFIG:Release,MinSizeRel>:QT_NO_DEBUG_OUTPUT>")

    unset(_tlslab_optimised)
endif()
