#pragma once

#include <QStringList>

namespace TlsLab::Cli {

// `tlslab cert new ...` and `tlslab cert show ...`; arguments[0] is "cert". Returns the exit code:
// 0 success, 1 failure (one line on stderr), 2 usage error.
int runCertCommand(const QStringList &arguments);

} // namespace TlsLab::Cli
