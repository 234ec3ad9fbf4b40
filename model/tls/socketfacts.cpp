#include "model/tls/socketfacts.h"

#include "model/tls/tlstext.h"

#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model::SocketFacts {

namespace {
QString describeEphemeralKey(const QSslKey &key)
{
    if (key.isNull())
        return {};
    if (key.algorithm() == QSsl::Opaque && key.handle()) {
        auto *pkey = static_cast<EVP_PKEY *>(key.handle());
        const char *name = EVP_PKEY_get0_type_name(pkey);
        return name ? QString::fromLatin1(name) : u"opaque"_s;
    }
    switch (key.algorithm()) {
    case QSsl::Ec:
        return u"ECDH %1 bits"_s.arg(key.length());
    case QSsl::Dh:
        return u"DH %1 bits"_s.arg(key.length());
    default:
        return u"%1 bits"_s.arg(key.length());
    }
}
} // namespace

void readEncrypted(const QSslSocket &socket, Session &session)
{
    const QSslCipher cipher = socket.sessionCipher();
    // The session's protocol, not the cipher's: QSslCipher::protocolString() names the oldest version a suite
    // exists in ("TLSv1" for ECDHE-RSA-AES128-SHA, even over TLS 1.2).
    session.protocol = TlsText::protocolName(socket.sessionProtocol());
    session.cipher = cipher.name();
    const QSslConfiguration config = socket.sslConfiguration();
    session.alpn = QString::fromLatin1(config.nextNegotiatedProtocol());
    session.ephemeralKey = describeEphemeralKey(config.ephemeralServerKey());
    session.peerChain = socket.peerCertificateChain();
}

QCborArray chainSummary(const QList<QSslCertificate> &chain)
{
    QCborArray out;
    for (const QSslCertificate &c : chain) {
        QCborMap m;
        m.insert(u"subject"_s, c.subjectDisplayName());
        m.insert(u"issuer"_s, c.issuerDisplayName());
        m.insert(u"sha256"_s, TlsText::sha256(c));
        m.insert(u"not_after"_s, c.expiryDate().toUTC().toString(Qt::ISODate));
        out.append(m);
    }
    return out;
}

EventDetails encryptedDetails(const Session &session)
{
    EventDetails d;
    d.insert(u"protocol"_s, session.protocol);
    d.insert(u"cipher"_s, session.cipher);
    if (!session.alpn.isEmpty())
        d.insert(u"alpn"_s, session.alpn);
    if (!session.ephemeralKey.isEmpty())
        d.insert(u"key_exchange"_s, session.ephemeralKey);
    if (!session.group.isEmpty())
        d.insert(u"group"_s, session.group);
    d.insert(u"resumed"_s, session.resumed);
    if (!session.peerChain.isEmpty())
        d.insert(u"peer_chain"_s, chainSummary(session.peerChain));
    if (session.untrusted)
        d.insert(u"untrusted"_s, true);
    return d;
}

QString encryptedSummary(const Session &session)
{
    QString s = u"Encrypted: "_s + session.protocol + u", "_s + session.cipher;
    if (!session.group.isEmpty())
        s += u", "_s + session.group;
    if (session.resumed)
        s += u", resumed"_s;
    if (!session.alpn.isEmpty())
        s += u", ALPN "_s + session.alpn;
    if (session.untrusted)
        s += u" (UNTRUSTED: verification errors ignored)"_s;
    return s;
}

EventDetails dataDetails(const QByteArray &data)
{
    return EventDetails {{u"bytes", qint64(data.size())}, {u"preview", previewBytes(data, 64)}};
}

QString dataSummary(bool sent, const QByteArray &data)
{
    return (sent ? u"Sent "_s : u"Received "_s) + QString::number(data.size()) + u" bytes: \""_s
        + previewBytes(data, 48) + u'"';
}

EventParts alertEvent(bool sent, QSsl::AlertLevel level, QSsl::AlertType type, const QString &description)
{
    const QString levelName = TlsText::alertLevelName(level);
    const QString typeName = TlsText::alertTypeName(type);
    return {sent ? EventKind::AlertSent : EventKind::AlertReceived,
        level == QSsl::AlertLevel::Fatal ? Severity::Error : Severity::Info,
        (sent ? u"Alert sent: "_s : u"Alert received: "_s) + levelName + u' ' + typeName,
        EventDetails {{u"level", levelName}, {u"type", typeName}, {u"code", int(type)}, {u"description", description}}};
}

EventParts verifyErrorEvent(const QSslError &error, const QString &whose)
{
    EventDetails d {{u"error", TlsText::errorCode(error.error())}, {u"message", error.errorString()}};
    QString summary = whose + u": "_s + TlsText::errorWords(error.error());
    if (!error.certificate().isNull()) {
        d.insert(u"certificate", error.certificate().subjectDisplayName());
        d.insert(u"sha256", TlsText::sha256(error.certificate()));
        summary += u" ("_s + TlsText::certificateName(error.certificate()) + u')';
    }
    return {EventKind::VerifyError, Severity::Warning, summary, d};
}

QString endpoint(const QString &address, quint16 port)
{
    if (address.contains(u':'))
        return u'[' + address + u"]:"_s + QString::number(port);
    return address + u':' + QString::number(port);
}

bool peerReset(qintptr descriptor)
{
    if (descriptor < 0)
        return false;
    const int fd = int(descriptor);
    int pending = 0;
    socklen_t length = sizeof pending;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 && pending == ECONNRESET)
        return true;
    // Qt read the reset (it reports it as a close), which cleared the error; the connection's state still tells.
    tcp_info info = {};
    length = sizeof info;
    return ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 && info.tcpi_state == TCP_CLOSE;
}

qint64 descriptorLimit()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<qint64>::max() : qint64(limit.rlim_cur);
}

qint64 raiseDescriptorLimit()
{
    constexpr rlim_t Ceiling = 65536;
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? Ceiling : std::min(limit.rlim_max, Ceiling);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        ::setrlimit(RLIMIT_NOFILE, &limit); // on failure the old limit stays, which descriptorLimit() reports
    }
    return descriptorLimit();
}

} // namespace TlsLab::Model::SocketFacts
