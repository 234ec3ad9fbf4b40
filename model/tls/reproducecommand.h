#pragma once

#include "model/tls/client.h"
#include "model/tls/listener.h"

#include <QString>
#include <QStringList>

namespace TlsLab::Model {

// "Copy as command": the command line that reproduces a connection outside TLS Lab, with the same options, so a
// user can show it to someone who does not have TLS Lab, or check TLS Lab against the reference tools.
struct ReproduceCommand
{
    QString command; // one shell line, arguments quoted where needed
    QStringList notes; // files the command names that TLS Lab cannot name itself ("ca.pem: the CAs trusted: CN=...")
};

ReproduceCommand opensslClientCommand(const ClientConfig &config); // openssl s_client (or nc for plaintext)
ReproduceCommand curlCommand(const ClientConfig &config); // curl over https (TLS clients only)
ReproduceCommand opensslServerCommand(const ListenerConfig &config, const Identity &identity); // openssl s_server

QString shellQuote(const QString &argument); // 'it'\''s' style, only when needed

} // namespace TlsLab::Model
