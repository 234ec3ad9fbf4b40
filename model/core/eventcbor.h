#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QStringView>

namespace TlsLab::Model::EventCbor {

// Writing CBOR straight into a buffer, in the very form QCborValue::toCbor() gives (definite lengths, the shortest
// heads, text as UTF-8), so that bytes written here equal those of the QCborMap holding the same values. For the
// details of events recorded for every connection (a dissected ClientHello is a few hundred values), where building a
// tree of QCborValues and encoding it cost many times the parsing.

enum Major : quint8 { Unsigned = 0, Negative = 1, Bytes = 2, Text = 3, Array = 4, Map = 5 };

void appendHead(QByteArray &out, Major major, quint64 argument);
void appendText(QByteArray &out, QStringView text);
void appendText(QByteArray &out, QLatin1StringView text);
void appendInteger(QByteArray &out, qint64 value);
void appendBool(QByteArray &out, bool value);

// An array or map whose size is known only at its end: begin() leaves room for a short head and says where; end()
// writes the head there, making room when the count needs more than one byte. count is the number of items (of
// key/value pairs for a map).
qsizetype beginContainer(QByteArray &out);
void endContainer(QByteArray &out, qsizetype at, Major major, quint64 count);

} // namespace TlsLab::Model::EventCbor
