#pragma once

#include <QStringList>

namespace TlsLab::Cli {

// tlslab serve: runs a listener until interrupted (or --max-connections), printing every event.
int runServeCommand(const QStringList &arguments);

} // namespace TlsLab::Cli
