#pragma once

#include "model/core/result.h"

#include <QByteArray>
#include <QString>

namespace TlsLab::Widgets {

// What a deliberately plaintext client sends first. The order matches the payload combo boxes of the panels.
enum class PayloadKind { TextLine, HttpGet, RawHex, Nothing };

// The bytes for a payload choice: a line of text (newline added), an HTTP/1.1 GET of the text as path for host,
// hex digits (spaces and colons allowed), or nothing. Bad hex is an error naming the problem.
Model::Result<QByteArray> makePayload(PayloadKind kind, const QString &text, const QString &host);

} // namespace TlsLab::Widgets
