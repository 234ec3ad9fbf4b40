#include "model/tls/reproducecommand.h"

#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QHostAddress>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

QString join(const QStringList &arguments)
{
    QStringList quoted;
    for (const QString &a : arguments)
        quoted.append(shellQuote(a));
    return quoted.join(u' ');
}

QString alpnList(const QList<QByteArray> &protocols)
{
    QStringList names;
    for (const QByteArray &p : protocols)
        names.append(QString::fromLatin1(p));
    return names.join(u',');
}

QString subjects(const QList<QSslCertificate> &certificates)
{
    QStringList names;
    for (const QSslCertificate &c : certificates)
        names.append(TlsText::certificateName(c));
    return names.join(u"; "_s);
}

// openssl's own switches for a QSsl protocol range.
QStringList opensslProtocol(QSsl::SslProtocol protocol)
{
    switch (protocol) {
    case QSsl::TlsV1_2:
        return {u"-tls1_2"_s};
    case QSsl::TlsV1_3:
    case QSsl::TlsV1_3OrLater:
        return {u"-tls1_3"_s};
    case QSsl::TlsV1_2OrLater:
    case QSsl::SecureProtocols:
        return {u"-min_protocol"_s, u"TLSv1.2"_s};
    default:
        return {};
    }
}

QString hostPort(const QString &host, quint16 port)
{
    return SocketFacts::endpoint(host, port);
}

} // namespace

QString shellQuote(const QString &argument)
{
    static const QRegularExpression safe(u"^[A-Za-z0-9_@%+=:,./-]+$"_s);
    if (!argument.isEmpty() && safe.match(argument).hasMatch())
        return argument;
    QString quoted = argument;
    quoted.replace(u'\'', u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

ReproduceCommand opensslClientCommand(const ClientConfig &config)
{
    ReproduceCommand out;
    if (config.mode == ClientMode::Plaintext) {
        out.command = join({u"nc"_s, config.host, QString::number(config.port)});
        return out;
    }
    const QString name = config.serverName.isEmpty() ? config.host : config.serverName;
    QStringList a {u"openssl"_s, u"s_client"_s, u"-connect"_s, hostPort(config.host, config.port)};
    // TLS Lab checks the name too (sending it as SNI only when it is a host name, as TLS asks), and refuses what
    // fails verification unless told otherwise.
    if (QHostAddress(name).isNull())
        a << u"-servername"_s << name << u"-verify_hostname"_s << name;
    else
        a << u"-noservername"_s << u"-verify_ip"_s << name;
    if (!config.continueOnVerifyErrors)
        a << u"-verify_return_error"_s;
    if (!config.useSystemCaCertificates)
        a << u"-no-CApath"_s << u"-no-CAstore"_s;
    if (!config.caCertificates.isEmpty()) {
        a << u"-CAfile"_s << u"ca.pem"_s;
        out.notes.append(
            u"ca.pem: the CA certificates this connection trusted (%1)"_s.arg(subjects(config.caCertificates)));
    }
    if (config.clientIdentity && !config.clientIdentity->isNull()) {
        const Identity &id = *config.clientIdentity;
        a << u"-cert"_s << (id.certificatePath.isEmpty() ? u"client.pem"_s : id.certificatePath);
        a << u"-key"_s << (id.keyPath.isEmpty() ? id.certificatePath : id.keyPath);
        if (id.certificatePath.isEmpty())
            out.notes.append(u"client.pem: the client certificate (%1) and its key"_s.arg(id.description()));
    }
    a << opensslProtocol(config.protocol);
    if (!config.alpnProtocols.isEmpty())
        a << u"-alpn"_s << alpnList(config.alpnProtocols);
    if (!config.keyLogPath.isEmpty())
        a << u"-keylogfile"_s << config.keyLogPath;
    if (!config.sessionTicket.isEmpty())
        a << u"-reconnect"_s; // openssl's way to show a resumed session
    out.command = join(a);
    return out;
}

ReproduceCommand curlCommand(const ClientConfig &config)
{
    ReproduceCommand out;
    if (config.mode == ClientMode::Plaintext)
        return out; // curl is for the TLS case; a plaintext client is nc (see opensslClientCommand)
    const QString name = config.serverName.isEmpty() ? config.host : config.serverName;
    QStringList a {u"curl"_s, u"-v"_s};
    if (name != config.host)
        a << u"--resolve"_s << u"%1:%2:%3"_s.arg(name).arg(config.port).arg(config.host);
    if (!config.caCertificates.isEmpty()) {
        a << u"--cacert"_s << u"ca.pem"_s;
        out.notes.append(
            u"ca.pem: the CA certificates this connection trusted (%1)"_s.arg(subjects(config.caCertificates)));
    }
    if (config.continueOnVerifyErrors)
        a << u"--insecure"_s;
    if (config.clientIdentity && !config.clientIdentity->isNull()) {
        const Identity &id = *config.clientIdentity;
        a << u"--cert"_s << (id.certificatePath.isEmpty() ? u"client.pem"_s : id.certificatePath);
        if (!id.keyPath.isEmpty())
            a << u"--key"_s << id.keyPath;
    }
    switch (config.protocol) {
    case QSsl::TlsV1_2:
        a << u"--tlsv1.2"_s << u"--tls-max"_s << u"1.2"_s;
        break;
    case QSsl::TlsV1_3:
    case QSsl::TlsV1_3OrLater:
        a << u"--tlsv1.3"_s;
        break;
    default:
        a << u"--tlsv1.2"_s;
        break;
    }
    if (config.alpnProtocols == QList<QByteArray> {QByteArrayLiteral("http/1.1")})
        a << u"--http1.1"_s;
    const QString host = name.contains(u':') ? u'[' + name + u']' : name;
    a << u"https://%1:%2/"_s.arg(host).arg(config.port);
    out.command = join(a);
    return out;
}

ReproduceCommand opensslServerCommand(const ListenerConfig &config, const Identity &identity)
{
    ReproduceCommand out;
    QStringList a {u"openssl"_s, u"s_server"_s, u"-accept"_s, hostPort(config.address.toString(), config.port)};
    a << u"-cert"_s << (identity.certificatePath.isEmpty() ? u"server.pem"_s : identity.certificatePath);
    a << u"-key"_s << (identity.keyPath.isEmpty() ? identity.certificatePath : identity.keyPath);
    if (identity.certificatePath.isEmpty())
        out.notes.append(
            u"server.pem: the listener's certificate chain (%1) and its key"_s.arg(identity.description()));
    switch (config.peerVerify) {
    case PeerVerify::None:
        break;
    case PeerVerify::Request:
        a << u"-verify"_s << u"1"_s;
        break;
    case PeerVerify::Require:
        a << u"-Verify"_s << u"1"_s;
        break;
    }
    if (!config.caCertificates.isEmpty()) {
        a << u"-CAfile"_s << u"client-ca.pem"_s;
        out.notes.append(u"client-ca.pem: the CAs client certificates are checked against (%1)"_s.arg(
            subjects(config.caCertificates)));
    }
    a << opensslProtocol(config.protocol);
    if (!config.alpnProtocols.isEmpty())
        a << u"-alpn"_s << alpnList(config.alpnProtocols);
    if (!config.keyLogPath.isEmpty())
        a << u"-keylogfile"_s << config.keyLogPath;
    // The listener echoes and greets; s_server echoes what it reads to its own output instead.
    out.command = join(a);
    return out;
}

} // namespace TlsLab::Model
