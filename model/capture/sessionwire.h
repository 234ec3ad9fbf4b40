#pragma once

#include "model/tls/tlstap.h"

#include <QByteArray>
#include <QList>

namespace TlsLab::Model {

// What one session left for export: its bytes as they crossed the wire (from the TLS tap, capped per connection) and
// its key log lines (only when the user turned key logging on for it). A value type.
struct SessionWire
{
    quint64 session = 0;
    QList<WireChunk> chunks;
    bool truncated = false; // the tap stopped keeping bytes at its cap: the stream ends early
    QList<QByteArray> keyLogLines; // SSLKEYLOGFILE lines, without newlines

    qsizetype byteSize() const;
};

} // namespace TlsLab::Model
