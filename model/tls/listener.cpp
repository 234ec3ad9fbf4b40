#include "model/tls/listener.h"

#include "model/certs/devcertificate.h"
#include "model/timeline/timeline.h"
#include "model/tls/keylogfile.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QCborArray>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcListener, "tlslab.listener")

namespace TlsLab::Model {

// Hands every accepted descriptor to the listener instead of starting a handshake (see Listener).
class ListenerServer final : public QSslServer
{
public:
    ListenerServer(std::function<void(qintptr)> accept, QObject *parent)
        : QSslServer(parent)
        , m_accept(std::move(accept))
    { }

protected:
    void incomingConnection(qintptr descriptor) override { m_accept(descriptor); }

private:
    std::function<void(qintptr)> m_accept;
};

// ---- Listener ----------------------------------------------------------------------------------------------------

QString peerVerifyName(PeerVerify mode)
{
    switch (mode) {
    case PeerVerify::None:
        return u"none"_s;
    case PeerVerify::Request:
        return u"request"_s;
    case PeerVerify::Require:
        return u"require"_s;
    }
    return {};
}

std::optional<PeerVerify> peerVerifyFromName(QStringView name)
{
    if (name == u"none")
        return PeerVerify::None;
    if (name == u"request")
        return PeerVerify::Request;
    if (name == u"require")
        return PeerVerify::Require;
    return std::nullopt;
}

Listener::Listener(Timeline *timeline, QObject *parent)
    : QObject(parent)
    , m_timeline(timeline)
{ }

Listener::~Listener()
{
    stop();
}

Status Listener::start(const ListenerConfig &config)
{
    stop();
    m_config = config;
    m_settings = {};
    m_counters = {}; // counters describe one run of the listener
    Q_EMIT countersChanged();
    const QString where = SocketFacts::endpoint(config.address.toString(), config.port);

    auto failed = [this, &where](const QString &message) {
        m_timeline->record(0, Side::Server, EventKind::ListenerFailed, Severity::Error,
            u"Listener on %1 could not start: %2"_s.arg(where, message),
            EventDetails {{u"address"_s, where}, {u"error"_s, message}});
        return Status::failure(message);
    };

    if (config.identity && !config.identity->isNull()) {
        m_identity = *config.identity;
    } else {
        Result<Identity> dev = DevCertificate::loadOrCreate();
        if (!dev)
            return failed(dev.error());
        m_identity = dev.value();
    }

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificateChain(m_identity.chain);
    ssl.setPrivateKey(m_identity.key.toSslKey());
    ssl.setProtocol(config.protocol);
    switch (config.peerVerify) {
    case PeerVerify::None:
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
        break;
    case PeerVerify::Request:
        ssl.setPeerVerifyMode(QSslSocket::QueryPeer);
        break;
    case PeerVerify::Require:
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        break;
    }
    if (!config.caCertificates.isEmpty())
        ssl.setCaCertificates(config.caCertificates);
    if (!config.alpnProtocols.isEmpty())
        ssl.setAllowedNextProtocols(config.alpnProtocols);

    std::shared_ptr<KeyLogFile> keyLog;
    if (!config.keyLogPath.isEmpty()) {
        Result<std::shared_ptr<KeyLogFile>> opened = KeyLogFile::open(config.keyLogPath);
        if (!opened)
            return failed(opened.error());
        keyLog = opened.value();
    }
    m_settings.ssl = ssl;
    m_settings.requireClientCertificate = config.peerVerify == PeerVerify::Require;
    m_settings.caCertificates = config.caCertificates;
    m_settings.alpn = config.alpnProtocols;
    m_settings.greeting = config.greeting;
    m_settings.echo = config.echo;
    m_settings.answerPlaintextHttp = config.answerPlaintextHttp;
    m_settings.handshakeTimeoutMs = config.handshakeTimeoutMs;
    m_settings.idleTimeoutMs = config.idleTimeoutMs;
    m_settings.maxBacklogBytes = config.maxBacklogBytes;
    m_settings.backlogGraceMs = config.backlogGraceMs;
    m_settings.tap = config.tap;
    m_settings.keyLog = keyLog;

    m_server = new ListenerServer([this](qintptr descriptor) { acceptConnection(descriptor); }, this);
    m_server->setSslConfiguration(ssl);
    connect(m_server, &QTcpServer::acceptError, this, &Listener::onAcceptError);
    m_acceptingPaused = false;
    // The kernel's queue of connections not yet accepted: Qt's default of 50 makes a burst of clients (or the ones
    // waiting while accepting is paused by a limit) see dropped SYNs and one-second retries.
    m_server->setListenBacklogSize(1024);
    if (!m_server->listen(config.address, config.port)) {
        QString message = m_server->errorString();
        if (m_server->serverError() == QAbstractSocket::AddressInUseError)
            message = u"port %1 is already in use on %2"_s.arg(config.port).arg(config.address.toString());
        else if (m_server->serverError() == QAbstractSocket::SocketAccessError)
            message = u"no permission to listen on %1 (ports below 1024 need privileges)"_s.arg(where);
        delete m_server;
        m_server = nullptr;
        return failed(message);
    }

    const QString actual = SocketFacts::endpoint(config.address.toString(), m_server->serverPort());
    m_timeline->record(0, Side::Server, EventKind::ListenerStarted, Severity::Success,
        u"Listening on %1 with %2 (SHA-256 %3)"_s.arg(
            actual, m_identity.description(), m_identity.sha256Fingerprint().left(23)),
        EventDetails {{u"address"_s, actual}, {u"port"_s, m_server->serverPort()},
            {u"certificate"_s, m_identity.description()}, {u"sha256"_s, m_identity.sha256Fingerprint()},
            {u"verify"_s, peerVerifyName(config.peerVerify)}, {u"protocol"_s, TlsText::protocolName(config.protocol)},
            {u"max_open"_s, config.maxOpenConnections}, {u"descriptor_limit"_s, SocketFacts::descriptorLimit()}});
    Q_EMIT started();
    return {};
}

void Listener::stop()
{
    if (!m_server)
        return;
    const QString where = SocketFacts::endpoint(m_config.address.toString(), m_server->serverPort());
    m_server->close();
    if (m_retryAccept)
        m_retryAccept->stop();
    m_acceptingPaused = false;
    const auto connections = m_connections.keys();
    for (ServerConnection *c : connections)
        c->shutDown();
    qDeleteAll(connections);
    m_connections.clear();
    delete m_server;
    m_server = nullptr;
    m_timeline->record(0, Side::Server, EventKind::ListenerStopped, Severity::Info, u"Stopped listening on "_s + where);
    Q_EMIT stopped();
}

bool Listener::isListening() const
{
    return m_server && m_server->isListening();
}

QHostAddress Listener::address() const
{
    return m_server ? m_server->serverAddress() : m_config.address;
}

quint16 Listener::port() const
{
    return m_server ? m_server->serverPort() : m_config.port;
}

void Listener::acceptConnection(qintptr descriptor)
{
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcListener) << "cannot adopt accepted socket:" << socket->errorString();
        delete socket;
        return;
    }
    ++m_counters.connections;
    auto *connection = new ServerConnection(socket, m_timeline, m_settings, this);
    m_connections.insert(connection, connection->sessionId());
    connect(connection, &ServerConnection::encrypted, this, [this, connection] {
        ++m_counters.encrypted;
        if (!m_settings.sharedTlsContext)
            m_settings.sharedTlsContext = connection->tlsContext();
        Q_EMIT countersChanged();
    });
    connect(connection, &ServerConnection::refused, this, [this] {
        ++m_counters.refused;
        Q_EMIT countersChanged();
    });
    connect(connection, &ServerConnection::failed, this, [this] {
        ++m_counters.failed;
        Q_EMIT countersChanged();
    });
    connect(connection, &ServerConnection::finished, this, [this, connection] { connectionFinished(connection); });
    Q_EMIT countersChanged();
    const int open = int(m_connections.size());
    if (!m_acceptingPaused && !descriptorsLeft(descriptor)) {
        pauseAccepting(
            u"the process is out of file descriptors (%1 connections open); new clients wait until one ends"_s.arg(
                open),
            EventDetails {{u"limit"_s, u"file-descriptors"_s}, {u"open"_s, open}});
        return;
    }
    if (m_config.maxOpenConnections > 0 && open >= m_config.maxOpenConnections && !m_acceptingPaused) {
        pauseAccepting(u"%1 connections are open, the limit; new clients wait until one ends"_s.arg(open),
            EventDetails {
                {u"limit"_s, u"open-connections"_s}, {u"open"_s, open}, {u"max_open"_s, m_config.maxOpenConnections}});
    }
}

// Whether the next connection can be taken: its own descriptor and the second one its handshake holds. Qt 6.4 counts
// EMFILE from accept() as a temporary error and keeps its level-triggered notifier on, which spins at full CPU
// without accepting anyone; so the listener stops accepting before that happens.
bool Listener::descriptorsLeft(qintptr anyDescriptor)
{
    const int first = ::fcntl(int(anyDescriptor), F_DUPFD_CLOEXEC, 0);
    const int second = first >= 0 ? ::fcntl(int(anyDescriptor), F_DUPFD_CLOEXEC, 0) : -1;
    if (first >= 0)
        ::close(first);
    if (second >= 0)
        ::close(second);
    return second >= 0;
}

void Listener::pauseAccepting(const QString &why, const EventDetails &details)
{
    m_acceptingPaused = true;
    m_server->pauseAccepting();
    // QTcpServer keeps accepting within the batch it is in unless its pending queue counts as full; connections are
    // never queued there (incomingConnection takes them), so a maximum of 0 is what stops that loop now.
    m_server->setMaxPendingConnections(0);
    m_timeline->record(
        0, Side::Server, EventKind::Limit, Severity::Warning, u"Limit: not accepting: "_s + why, details);
}

void Listener::resumeAccepting()
{
    if (!m_acceptingPaused || !m_server)
        return;
    m_acceptingPaused = false;
    m_server->setMaxPendingConnections(30); // Qt's default
    m_server->resumeAccepting();
    m_timeline->record(0, Side::Server, EventKind::Limit, Severity::Info,
        u"Limit: accepting connections again (%1 open)"_s.arg(m_connections.size()),
        EventDetails {
            {u"limit"_s, u"open-connections"_s}, {u"open"_s, qint64(m_connections.size())}, {u"resumed"_s, true}});
}

void Listener::onAcceptError(QAbstractSocket::SocketError error)
{
    // Qt has paused accepting already (it does so on every error but a temporary one).
    const QString text = m_server->errorString();
    const int open = int(m_connections.size());
    const QString why = error == QAbstractSocket::SocketResourceError
        ? u"the process is out of file descriptors (%1 connections open); new clients wait until one ends"_s.arg(open)
        : u"accepting failed (%1) with %2 connections open"_s.arg(text).arg(open);
    const QString limit = error == QAbstractSocket::SocketResourceError ? u"file-descriptors"_s : u"accept-error"_s;
    if (!m_acceptingPaused)
        pauseAccepting(why, EventDetails {{u"limit"_s, limit}, {u"open"_s, open}, {u"error"_s, text}});
    if (open == 0) {
        // None of ours to wait for: try again in a while (a bounded pace, never a spin).
        if (!m_retryAccept) {
            m_retryAccept = new QTimer(this);
            m_retryAccept->setSingleShot(true);
            connect(m_retryAccept, &QTimer::timeout, this, &Listener::resumeAccepting);
        }
        m_retryAccept->start(1000);
    }
}

void Listener::connectionFinished(ServerConnection *connection)
{
    const auto it = m_connections.find(connection);
    if (it == m_connections.end())
        return;
    const quint64 id = it.value();
    m_connections.erase(it);
    connection->deleteLater();
    if (m_acceptingPaused
        && (m_config.maxOpenConnections <= 0 || int(m_connections.size()) < m_config.maxOpenConnections)) {
        resumeAccepting();
    }
    Q_EMIT sessionFinished(id);
}

} // namespace TlsLab::Model
