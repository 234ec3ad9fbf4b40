#pragma once

#include "model/core/result.h"

#include <QByteArray>
#include <QString>

namespace TlsLab::Model {

// What a deliberately plaintext client sends first: the window's payload choices and the command line's --send,
// --http and --send-hex all come here, so both send the same bytes.
enum class PayloadKind { TextLine, HttpGet, RawHex, Nothing };

// The bytes for a payload choice:
// - TextLine: the text as UTF-8 and a newline;
// - HttpGet: "GET <path> HTTP/1.1" with Host (host, usually "HOST:PORT"), User-Agent "TLS Lab" and
//   "Connection: close"; the text is the path ("/" when empty, a missing leading "/" is added);
// - RawHex: hex digits, optionally "0x"-prefixed, with spaces, colons and newlines between bytes; no digits, an odd
//   number of digits or a non-hex character is an error naming the problem;
// - Nothing: no bytes.
Result<QByteArray> makePayload(PayloadKind kind, const QString &text, const QString &host);

// An example the forms show for a payload choice ("hello", "/", "16 03 01 …").
QString examplePayloadText(PayloadKind kind);

} // namespace TlsLab::Model
