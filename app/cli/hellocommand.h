#pragma once

#include <QStringList>

namespace TlsLab::Cli {

// `tlslab hello FILE`: dissects a ClientHello given as hex or raw bytes (TLS records or a bare handshake message)
// and prints it with its fingerprints; arguments[0] is "hello". Returns the exit code: 0 a complete ClientHello,
// 1 not one (one line on stderr saying why), 2 usage error.
int runHelloCommand(const QStringList &arguments);

} // namespace TlsLab::Cli
