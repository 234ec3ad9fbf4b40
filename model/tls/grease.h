#pragma once

#include <QtGlobal>

namespace TlsLab::Model {

// GREASE values (RFC 8701): 0x0A0A, 0x1A1A, ... 0xFAFA. Clients offer them among versions, cipher suites, groups and
// extensions so that servers learn to ignore unknown values; they say nothing about the client's real choices, so
// everything that lists or compares offered values skips them. The one test, used everywhere.
constexpr bool isGrease(quint16 value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

} // namespace TlsLab::Model
