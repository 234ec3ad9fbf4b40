#include "model/tls/serverconnection.h"

#include "model/tls/clienthello.h"
#include "model/tls/keylogfile.h"
#include "model/tls/tlstext.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// The most of a client's first bytes ever looked at before deciding: TLS is told by its first two bytes; plaintext by
// its first line.
constexpr qsizetype MaxFirstBytesLook = 4096 + 64;

QString seconds(qint64 us)
{
    return QString::number(double(us) / 1e6, 'g', 3) + u" s"_s;
}

QString byteCount(qint64 bytes)
{
    if (bytes >= 10 * 1024 * 1024)
        return u"%1 MB"_s.arg(bytes / (1024 * 1024));
    if (bytes >= 10 * 1024)
        return u"%1 KB"_s.arg(bytes / 1024);
    return u"%1 bytes"_s.arg(bytes);
}

QString firstBytesDescription(const FirstBytes &first)
{
    switch (first.kind) {
    case FirstBytes::Kind::TlsHandshake:
        return first.problem.isEmpty()
            ? u"a TLS handshake record (a ClientHello)"_s
            : u"a TLS handshake record that is not a valid ClientHello ("_s + first.problem + u')';
    case FirstBytes::Kind::TlsRecord:
        return u"a TLS %1 record before any ClientHello"_s.arg(recordTypeName(first.recordType));
    case FirstBytes::Kind::Sslv2ClientHello:
        return u"an SSLv2-format ClientHello (offering %1)"_s.arg(tlsVersionName(first.hello.legacyVersion));
    default:
        return kindDescription(first.kind);
    }
}

QString classification(const FirstBytes &first)
{
    switch (first.kind) {
    case FirstBytes::Kind::TlsHandshake:
        return first.problem.isEmpty() ? u"tls-client-hello"_s : u"tls-malformed"_s;
    case FirstBytes::Kind::TlsRecord:
        return u"tls-record"_s;
    case FirstBytes::Kind::Sslv2ClientHello:
        return u"sslv2-client-hello"_s;
    case FirstBytes::Kind::Http:
        return u"http"_s;
    case FirstBytes::Kind::Plaintext:
        return u"plaintext"_s;
    case FirstBytes::Kind::NeedMore:
        break;
    }
    return {};
}

} // namespace

ServerConnection::ServerConnection(
    QSslSocket *socket, Timeline *timeline, const ServerConnectionSettings &settings, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_settings(settings)
    , m_recorder(timeline, Side::Server)
{
    socket->setParent(this);
    Session &s = m_recorder.session();
    s.localAddress = socket->localAddress().toString();
    s.localPort = socket->localPort();
    s.peerAddress = socket->peerAddress().toString();
    s.peerPort = socket->peerPort();
    s.trustAnchors = settings.caCertificates;
    s.systemTrust = settings.caCertificates.isEmpty();
    m_recorder.setPhase(ConnectionPhase::FirstBytes);
    m_recorder.publish();
    // Qt closes its descriptor as soon as the client closes its side (and reports a reset as a close). A second one,
    // held until the connection ends, keeps the connection open until the alert OpenSSL owes that client has been
    // sent (see onError), and lets peerReset() tell a reset from a close.
    m_ownDescriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    const QString peer = SocketFacts::endpoint(s.peerAddress, s.peerPort);
    m_recorder.record(EventKind::TcpAccepted, Severity::Info, u"TCP connection from "_s + peer,
        EventDetails {{u"peer"_s, peer}, {u"local"_s, SocketFacts::endpoint(s.localAddress, s.localPort)}});

    connect(socket, &QSslSocket::readyRead, this, &ServerConnection::onReadyRead);
    connect(socket, &QSslSocket::encrypted, this, &ServerConnection::onEncrypted);
    connect(socket, &QSslSocket::errorOccurred, this, &ServerConnection::onError);
    connect(socket, &QSslSocket::disconnected, this, &ServerConnection::onDisconnected);
    connect(socket, &QSslSocket::encryptedBytesWritten, this, &ServerConnection::onBytesWritten);
    connect(socket, &QSslSocket::peerVerifyError, this, [this](const QSslError &error) {
        m_recorder.session().verifyErrors.append(error);
        m_recorder.record(SocketFacts::verifyErrorEvent(error, u"Client certificate"_s));
    });
    connect(socket, &QSslSocket::alertSent, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            m_recorder.qtAlert(true, level, type, description);
        });
    connect(socket, &QSslSocket::alertReceived, this,
        [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
            m_closeNotifyReceived = m_closeNotifyReceived || type == QSsl::AlertType::CloseNotify;
            m_recorder.qtAlert(false, level, type, description);
        });

    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ServerConnection::onTimeout);
    m_timer.start(settings.handshakeTimeoutMs);
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &ServerConnection::onIdleTimeout);
    m_backlogTimer.setSingleShot(true);
    connect(&m_backlogTimer, &QTimer::timeout, this, &ServerConnection::onBacklogTimeout);

    // Bytes may already be waiting (a fast client): look at them now.
    if (socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &ServerConnection::onReadyRead);
}

ServerConnection::~ServerConnection()
{
    releaseOwnDescriptor();
}

std::shared_ptr<void> ServerConnection::tlsContext() const
{
    return TlsTap::contextOf(m_socket);
}

void ServerConnection::onReadyRead()
{
    switch (m_recorder.phase()) {
    case ConnectionPhase::FirstBytes:
        lookAtFirstBytes();
        return;
    case ConnectionPhase::Encrypted:
        break;
    default:
        return;
    }
    if (m_readingPaused)
        return; // what the client sends waits in bounded buffers (the kernel's, then its own) until it catches up
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    noteProgress();
    m_recorder.recordData(false, data);
    if (m_httpProbe == HttpProbe::Answered)
        return; // closing after the answer
    QByteArray echo = data;
    if (m_httpProbe == HttpProbe::Undecided) {
        if (answeredHttp(data))
            return;
        echo = std::exchange(m_httpHead, {}); // not HTTP: everything held back so far is echoed now
    }
    if (m_greetingPending) {
        m_greetingPending = false;
        write(m_settings.greeting);
    }
    if (m_settings.echo)
        write(echo);
}

bool ServerConnection::answeredHttp(const QByteArray &data)
{
    constexpr qsizetype MaxHttpHead = 16 * 1024;
    static const QByteArrayView methods[] = {"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH "};
    m_httpHead += data;
    bool maybe = false;
    bool method = false;
    for (const QByteArrayView m : methods) {
        if (m_httpHead.size() < m.size() ? m.startsWith(m_httpHead) : m_httpHead.startsWith(m)) {
            maybe = true;
            method = m_httpHead.size() >= m.size();
        }
    }
    auto notHttp = [this] {
        m_httpProbe = HttpProbe::NotHttp;
        return false;
    };
    if (!maybe)
        return notHttp();
    if (!method)
        return true; // "GE": wait for more
    const qsizetype eol = m_httpHead.indexOf("\r\n");
    if (eol >= 0) {
        const QList<QByteArray> parts = m_httpHead.left(eol).split(' ');
        if (parts.size() != 3 || !(parts.at(2) == "HTTP/1.1" || parts.at(2) == "HTTP/1.0"))
            return notHttp();
    }
    const qsizetype end = m_httpHead.indexOf("\r\n\r\n");
    if (end < 0)
        return m_httpHead.size() > MaxHttpHead ? notHttp() : true;
    m_httpProbe = HttpProbe::Answered;
    answerHttp(m_httpHead.left(end + 4));
    m_httpHead.clear();
    return true;
}

void ServerConnection::answerHttp(const QByteArray &request)
{
    const QList<QByteArray> lines = request.split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    const QByteArray method = requestLine.value(0);
    bool json = false;
    for (const QByteArray &line : lines) {
        const QByteArray lower = line.toLower();
        if (lower.startsWith("accept:") && lower.contains("application/json"))
            json = true;
    }
    const Session &s = m_recorder.session();
    const QString client = SocketFacts::endpoint(s.peerAddress, s.peerPort);
    const QString certificate = s.peerChain.isEmpty() ? QString() : s.peerChain.first().subjectDisplayName();
    const QString group = s.group.isEmpty() ? s.ephemeralKey : s.group;
    QByteArray body;
    QByteArray type;
    if (json) {
        type = "application/json";
        const QJsonObject o {{u"session"_s, double(s.id)}, {u"client"_s, client}, {u"protocol"_s, s.protocol},
            {u"cipher"_s, s.cipher}, {u"group"_s, group}, {u"sni"_s, s.peerName}, {u"alpn"_s, s.alpn},
            {u"ja3"_s, s.ja3}, {u"ja3_md5"_s, s.ja3Md5}, {u"ja4"_s, s.ja4},
            {u"client_certificate"_s, certificate.isEmpty() ? QJsonValue() : QJsonValue(certificate)},
            {u"resumed"_s, s.resumed}, {u"request"_s, QString::fromLatin1(method + ' ' + requestLine.value(1))}};
        body = QJsonDocument(o).toJson(QJsonDocument::Indented);
    } else {
        type = "text/plain; charset=utf-8";
        auto orNone = [](const QString &v) { return v.isEmpty() ? u"(none)"_s : v; };
        QString text = u"TLS Lab's listener saw this connection (session %1, from %2):\n\n"_s.arg(s.id).arg(client);
        text += u"protocol            %1\n"_s.arg(orNone(s.protocol));
        text += u"cipher              %1\n"_s.arg(orNone(s.cipher));
        text += u"key exchange group  %1\n"_s.arg(orNone(group));
        text += u"SNI                 %1\n"_s.arg(orNone(s.peerName));
        text += u"ALPN                %1\n"_s.arg(orNone(s.alpn));
        text += u"JA3                 %1\n"_s.arg(
            s.ja3Md5.isEmpty() ? u"(not recorded)"_s : s.ja3Md5 + u" ("_s + s.ja3 + u')');
        text += u"JA4                 %1\n"_s.arg(s.ja4.isEmpty() ? u"(not recorded)"_s : s.ja4);
        text += u"client certificate  %1\n"_s.arg(orNone(certificate));
        text += u"resumed             %1\n"_s.arg(s.resumed ? u"yes"_s : u"no"_s);
        text += u"\nAsk with 'Accept: application/json' for the same as JSON.\n"_s;
        body = text.toUtf8();
    }
    QByteArray answer = "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (method != "HEAD")
        answer += body;
    m_greetingPending = false; // an HTTP client gets HTTP only
    write(answer);
    closeSoon(SessionState::Closed);
}

void ServerConnection::lookAtFirstBytes()
{
    const qsizetype available = m_socket->bytesAvailable();
    if (available > m_firstBytesSeen) {
        m_firstBytesSeen = available;
        m_lastByteUs = nowUs();
    }
    // peek(), never read(): in unencrypted mode the bytes stay in the buffer for the TLS backend. Only a bounded
    // prefix is ever looked at, so a client that trickles its bytes costs no more than one that sends them at once.
    const QByteArray bytes = m_socket->peek(std::min(available, MaxFirstBytesLook));
    const FirstBytes first = classifyFirstBytes(bytes);
    switch (first.kind) {
    case FirstBytes::Kind::NeedMore:
        return;
    case FirstBytes::Kind::Http:
    case FirstBytes::Kind::Plaintext:
        refusePlaintext(first, bytes);
        return;
    case FirstBytes::Kind::TlsHandshake:
    case FirstBytes::Kind::TlsRecord:
    case FirstBytes::Kind::Sslv2ClientHello:
        startTls(first, bytes);
        return;
    }
}

void ServerConnection::startTls(const FirstBytes &first, const QByteArray &bytes)
{
    EventDetails d {{u"bytes"_s, bytes.size()}, {u"preview"_s, previewBytes(bytes, 64)},
        {u"classification"_s, classification(first)}};
    if (first.kind == FirstBytes::Kind::TlsRecord || first.kind == FirstBytes::Kind::TlsHandshake)
        d.insert(u"record_type"_s, recordTypeName(first.recordType));
    if (!first.problem.isEmpty())
        d.insert(u"problem"_s, first.problem);
    const bool usual = first.kind == FirstBytes::Kind::TlsHandshake && first.problem.isEmpty();
    // Anything that is TLS goes to the TLS stack, so the client gets the answer (or the alert) a TLS server owes it.
    m_recorder.record(EventKind::FirstBytes, usual ? Severity::Debug : Severity::Warning,
        u"First bytes: "_s + firstBytesDescription(first) + (usual ? QString() : u"; handed to the TLS stack"_s), d);

    std::shared_ptr<TlsTap> tap;
    if (TlsTap::isAvailable()) {
        // Always bound (the alerts and the ALPN choice a TLS server owes come through it); recording is the option.
        TlsTap::Options options;
        options.messages = m_settings.tap;
        options.wireLimit = m_settings.tap ? m_settings.wireLimit : 0;
        options.keyLog = bool(m_settings.keyLog);
        options.stableTickets = true;
        options.serverAlpn = m_settings.alpn;
        if (m_settings.ssl.peerVerifyMode() != QSslSocket::VerifyNone) {
            for (const QSslCertificate &ca : std::as_const(m_settings.caCertificates))
                options.clientCaCertificatesDer.append(ca.toDer());
        }
        if (m_settings.requireClientCertificate) {
            options.verify = TlsTap::Verify::RejectWithAlert;
            options.requirePeerCertificate = true;
        }
        tap = TlsTap::create(options);
        tap->setEarlyIncoming(m_socket->peek(m_socket->bytesAvailable()));
        m_recorder.attachTap(tap, this);
        if (m_settings.keyLog)
            m_recorder.setKeyLogSink([log = m_settings.keyLog](const QByteArray &line) { log->append(line); });
    }
    if (!m_settings.tap && first.kind == FirstBytes::Kind::TlsHandshake && first.helloComplete) {
        // Without the tap, what the first record showed is all there is to say about the hello.
        const ClientHelloInfo &hello = first.hello;
        QStringList alpn;
        for (const QByteArray &p : hello.alpn)
            alpn.append(QString::fromLatin1(p));
        m_recorder.record(EventKind::ClientHello, Severity::Info,
            u"ClientHello: "_s + (hello.serverName.isEmpty() ? u"no SNI"_s : u"SNI "_s + hello.serverName),
            EventDetails {{u"sni"_s, hello.serverName}, {u"alpn"_s, alpn},
                {u"cipher_suites"_s, hello.cipherSuites.size()}, {u"extensions"_s, hello.extensionCount}});
        m_recorder.session().peerName = hello.serverName;
    }

    if (first.kind == FirstBytes::Kind::TlsHandshake && first.helloComplete) {
        for (const QByteArray &p : first.hello.alpn)
            m_clientOffersHttp = m_clientOffersHttp || p == "http/1.1" || p == "h2" || p == "http/1.0";
    }
    m_recorder.setPhase(ConnectionPhase::Handshaking);
    m_recorder.session().state = SessionState::Handshaking;
    m_recorder.publish();
    m_socket->setSslConfiguration(m_settings.ssl);
    TlsTap::reuseContext(m_socket, m_settings.sharedTlsContext);
    m_recorder.record(EventKind::HandshakeStarted, Severity::Debug, u"TLS handshake started"_s);
    if (tap) {
        TlsTap::Scope scope(tap);
        m_socket->startServerEncryption();
    } else {
        m_socket->startServerEncryption();
    }
}

void ServerConnection::refusePlaintext(const FirstBytes &first, const QByteArray &bytes)
{
    EventDetails d {{u"bytes"_s, bytes.size()}, {u"preview"_s, previewBytes(bytes, 64)},
        {u"hex"_s, QString::fromLatin1(bytes.left(32).toHex(' '))}, {u"classification"_s, classification(first)}};
    QString reason;
    if (first.kind == FirstBytes::Kind::Http) {
        d.insert(u"method"_s, first.httpMethod);
        d.insert(u"target"_s, first.httpTarget);
        m_recorder.record(EventKind::FirstBytes, Severity::Warning,
            u"First bytes: a plaintext HTTP request: %1 %2"_s.arg(first.httpMethod, first.httpTarget), d);
        reason = u"the client sent an HTTP request in plaintext to a TLS port"_s;
    } else {
        d.insert(u"printable"_s, first.printable);
        m_recorder.record(EventKind::FirstBytes, Severity::Warning,
            u"First bytes: plaintext \"%1\" (%2 bytes)"_s.arg(previewBytes(bytes, 40)).arg(bytes.size()), d);
        reason = first.printable ? u"the client sent plaintext to a TLS port"_s
                                 : u"the client sent bytes that are not TLS to a TLS port"_s;
    }

    m_socket->readAll(); // drain, so that closing sends FIN, not RST, and our answer arrives
    EventDetails r {{u"reason"_s, reason}};
    if (first.kind == FirstBytes::Kind::Http && m_settings.answerPlaintextHttp) {
        const QByteArray body = "This port speaks TLS. Use https:// to connect.\n";
        const QByteArray answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                  "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_socket->write(answer);
        r.insert(u"answered"_s, u"HTTP 400"_s);
    }
    m_recorder.record(EventKind::PlaintextRefused, Severity::Warning, u"Refused: "_s + reason, r);
    Q_EMIT refused();
    closeSoon(SessionState::Refused, reason);
}

bool ServerConnection::peerReset() const
{
    return SocketFacts::peerReset(m_ownDescriptor);
}

void ServerConnection::releaseOwnDescriptor()
{
    if (m_ownDescriptor >= 0)
        ::close(int(m_ownDescriptor));
    m_ownDescriptor = -1;
}

void ServerConnection::onEncrypted()
{
    m_timer.stop();
    m_recorder.setPhase(ConnectionPhase::Encrypted);
    m_recorder.readEncrypted(*m_socket);
    Session &s = m_recorder.session();
    s.state = SessionState::Encrypted;
    m_recorder.publish();
    m_recorder.record(
        EventKind::Encrypted, Severity::Success, SocketFacts::encryptedSummary(s), SocketFacts::encryptedDetails(s));
    Q_EMIT encrypted();
    // Qt would otherwise read (and decrypt) everything a client sends into memory, whether or not it is wanted:
    // bounded, a client that is not being read from waits in the kernel's buffers, and then on its own end.
    m_socket->setReadBufferSize(64 * 1024);
    noteProgress();
    // An HTTP client (its ALPN said so) speaks first and would take the greeting for a broken answer: the greeting
    // waits for its first bytes (or a second), and is dropped if they are an HTTP request.
    if (!m_settings.greeting.isEmpty() && m_clientOffersHttp) {
        // Not every client that offers HTTP speaks it (gnutls-cli --alpn http/1.1 waits to be greeted): one that has
        // sent nothing within a second is greeted. An HTTP client sends its request with its Finished.
        m_greetingPending = true;
        QTimer::singleShot(1000, this, [this] {
            if (!m_greetingPending || m_recorder.isDone() || m_recorder.phase() != ConnectionPhase::Encrypted)
                return;
            m_greetingPending = false;
            write(m_settings.greeting);
        });
    } else if (!m_settings.greeting.isEmpty())
        write(m_settings.greeting);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void ServerConnection::write(const QByteArray &data)
{
    m_socket->write(data);
    m_recorder.recordData(true, data);
    checkBacklog();
}

qint64 ServerConnection::backlog() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void ServerConnection::checkBacklog()
{
    const qint64 waiting = backlog();
    if (m_readingPaused || m_settings.maxBacklogBytes <= 0 || waiting <= m_settings.maxBacklogBytes)
        return;
    m_readingPaused = true;
    m_idleTimer.stop(); // the backlog's grace period decides now
    m_backlogTimer.start(m_settings.backlogGraceMs);
    m_recorder.record(EventKind::Limit, Severity::Warning,
        u"Limit: the client is not reading what it is sent (%1 waiting, the limit is %2); stopped reading from it "
        u"and echoing; it is closed if it has not caught up within %3"_s.arg(byteCount(waiting),
            byteCount(m_settings.maxBacklogBytes), seconds(qint64(m_settings.backlogGraceMs) * 1000)),
        EventDetails {{u"limit"_s, u"output-backlog"_s}, {u"waiting_bytes"_s, waiting},
            {u"max_bytes"_s, m_settings.maxBacklogBytes}, {u"grace_ms"_s, m_settings.backlogGraceMs}});
}

void ServerConnection::noteProgress()
{
    if (m_settings.idleTimeoutMs > 0 && !m_readingPaused && m_recorder.phase() == ConnectionPhase::Encrypted)
        m_idleTimer.start(m_settings.idleTimeoutMs);
}

void ServerConnection::onBytesWritten()
{
    if (m_recorder.phase() != ConnectionPhase::Encrypted)
        return;
    // Resume at half the limit, not at the limit, so that a slow reader does not flip the state on every record.
    if (m_readingPaused && backlog() <= m_settings.maxBacklogBytes / 2) {
        m_readingPaused = false;
        m_backlogTimer.stop();
        m_recorder.record(EventKind::Limit, Severity::Info,
            u"Limit: the client caught up (%1 waiting); reading from it and echoing again"_s.arg(byteCount(backlog())),
            EventDetails {{u"limit"_s, u"output-backlog"_s}, {u"waiting_bytes"_s, backlog()}, {u"resumed"_s, true}});
        // Not inside this socket signal: read what waited on the next turn.
        QTimer::singleShot(0, this, &ServerConnection::onReadyRead);
    }
    noteProgress();
}

void ServerConnection::onIdleTimeout()
{
    if (m_recorder.isDone() || m_recorder.phase() != ConnectionPhase::Encrypted)
        return;
    const QString reason = u"nothing was sent or received for %1 after the handshake (the idle limit)"_s.arg(
        seconds(qint64(m_settings.idleTimeoutMs) * 1000));
    m_recorder.record(EventKind::Limit, Severity::Info, u"Limit: closing the connection: "_s + reason,
        EventDetails {
            {u"limit"_s, u"idle-timeout"_s}, {u"idle_ms"_s, m_settings.idleTimeoutMs}, {u"reason"_s, reason}});
    closeSoon(SessionState::Closed, reason);
}

void ServerConnection::onBacklogTimeout()
{
    if (m_recorder.isDone() || !m_readingPaused)
        return;
    const qint64 waiting = backlog();
    const QString reason = u"the client did not read what it was sent: %1 still waited for it after %2"_s.arg(
        byteCount(waiting), seconds(qint64(m_settings.backlogGraceMs) * 1000));
    m_recorder.record(EventKind::Limit, Severity::Warning, u"Limit: closing the connection: "_s + reason,
        EventDetails {{u"limit"_s, u"output-backlog"_s}, {u"waiting_bytes"_s, waiting},
            {u"max_bytes"_s, m_settings.maxBacklogBytes}, {u"grace_ms"_s, m_settings.backlogGraceMs},
            {u"reason"_s, reason}});
    closeSoon(SessionState::Closed, reason, true);
}

void ServerConnection::onError(QAbstractSocket::SocketError error)
{
    if (m_recorder.isDone())
        return;
    const QString text = m_socket->errorString();
    switch (m_recorder.phase()) {
    case ConnectionPhase::Encrypted:
        if (error == QAbstractSocket::RemoteHostClosedError && !m_closeNotifyReceived && peerReset()) {
            const QString reason = u"the client reset the connection (TCP RST, without a TLS close_notify)"_s;
            m_recorder.record(EventKind::Reset, Severity::Warning, u"Connection reset by the client"_s,
                EventDetails {{u"reason"_s, reason}});
            closeSoon(SessionState::Closed, reason);
        } else if (error == QAbstractSocket::RemoteHostClosedError) {
            const bool clean = m_recorder.lastAlertReceived().isEmpty();
            m_recorder.record(EventKind::Closed, Severity::Info,
                clean ? u"Connection closed by the client"_s
                      : u"Connection closed by the client after the alert "_s + m_recorder.lastAlertReceived());
            closeSoon(SessionState::Closed);
        } else {
            // A TLS error after the handshake (a record that fails to decrypt, an oversized record, ...): OpenSSL
            // has written the fatal alert it owes the client; closeSoon() lets Qt send it first.
            const QString reason = error == QAbstractSocket::SslInternalError
                ? u"the TLS connection failed: "_s + TlsText::handshakeFailureWords(text)
                : u"connection lost: "_s + text;
            m_recorder.record(EventKind::Reset, Severity::Warning, u"Connection failed: "_s + reason,
                EventDetails {{u"error"_s, text}, {u"reason"_s, reason}});
            closeSoon(SessionState::Closed, reason);
        }
        return;
    case ConnectionPhase::FirstBytes: {
        const bool reset = error == QAbstractSocket::RemoteHostClosedError && peerReset();
        const bool closed = error == QAbstractSocket::RemoteHostClosedError && !reset;
        QString reason;
        if (m_firstBytesSeen > 0) {
            const QByteArray bytes = m_socket->peek(std::min<qsizetype>(m_socket->bytesAvailable(), 64));
            reason = (closed ? u"the client sent %1 bytes (\"%2\") and closed the connection before they could be "
                               u"told apart"_s
                    : reset ? u"the client sent %1 bytes (\"%2\") and reset the connection"_s
                            : u"the client sent %1 bytes (\"%2\"), then the connection failed"_s)
                         .arg(m_firstBytesSeen)
                         .arg(previewBytes(bytes, 32));
        } else {
            reason = closed ? u"the client closed the connection without sending anything"_s
                : reset     ? u"the client reset the connection without sending anything"_s
                            : u"the connection failed before the client sent anything: "_s + text;
        }
        m_recorder.record(closed ? EventKind::Closed : EventKind::Reset, Severity::Warning, u"Closed: "_s + reason);
        fail(reason);
        return;
    }
    default:
        break;
    }

    // Handshaking. A reset first: no alert can reach a client that reset the connection, and telling OpenSSL of the
    // end of input would record the reset as a close ("the peer closed the connection in the middle of the
    // handshake"), as the soak found for a client that resets after the ServerHello.
    const bool reset
        = error == QAbstractSocket::RemoteHostClosedError && m_recorder.lastAlertReceived().isEmpty() && peerReset();
    if (error == QAbstractSocket::RemoteHostClosedError && !reset && !m_endOfInputDelivered && m_recorder.tap()
        && m_recorder.tap()->isAlive()) {
        // The client closed with part of a record sent: OpenSSL, told of the end of input, fails the handshake
        // with the alert a TLS server owes (decode_error); flush() runs that step while the socket can still send.
        // That step reports its own error (re-entering here) and ends the session.
        m_endOfInputDelivered = true;
        m_recorder.tap()->signalEndOfInput();
        m_socket->flush();
        if (m_recorder.isDone())
            return;
    }
    if (m_endOfInputDelivered && m_recorder.tap()) {
        // Inside that step: Qt no longer writes to a socket whose peer has closed, and aborts it when this returns.
        // Send OpenSSL's answer ourselves, now.
        m_recorder.tap()->sendPendingOutput(m_ownDescriptor);
    }
    Session &s = m_recorder.session();
    QList<QSslError> rejected = m_recorder.recordTapVerifyFailures(u"Client certificate"_s);
    if (rejected.isEmpty() && text.contains(u"peer did not return a certificate"_s, Qt::CaseInsensitive)) {
        // The tap's verification requires a certificate: OpenSSL failed the handshake (with certificate_required in
        // TLS 1.3, handshake_failure in 1.2) before any verification could run.
        const QSslError missing(QSslError::NoPeerCertificate);
        rejected.append(missing);
        m_recorder.record(SocketFacts::verifyErrorEvent(missing, u"Client certificate"_s));
    }
    s.verifyErrors.append(rejected);
    QString reason;
    if (!s.verifyErrors.isEmpty()) {
        // This listener checked a client certificate and did not accept it.
        QStringList words;
        for (const QSslError &e : std::as_const(s.verifyErrors)) {
            words.append(e.error() == QSslError::NoPeerCertificate
                    ? u"the client sent no certificate, but this listener requires one"_s
                    : u"the client's certificate was rejected: "_s
                        + (e.error() == QSslError::UnspecifiedError ? e.errorString()
                                                                    : TlsText::errorWords(e.error())));
        }
        words.removeDuplicates();
        reason = words.join(u"; "_s);
    } else if (reset) {
        reason = u"the client reset the connection during the handshake"_s;
        m_recorder.record(EventKind::Reset, Severity::Warning, u"Connection reset by the client during the handshake"_s,
            EventDetails {{u"reason"_s, reason}});
    } else if (error == QAbstractSocket::RemoteHostClosedError) {
        reason = m_recorder.lastAlertReceived().isEmpty()
            ? u"the client closed the connection during the handshake without an alert"_s
            : u"the client aborted the handshake with the alert %1"_s.arg(m_recorder.lastAlertReceived());
    } else if (error == QAbstractSocket::SslHandshakeFailedError) {
        reason = text.contains(u"peer did not return a certificate"_s, Qt::CaseInsensitive)
            ? u"the client sent no certificate, but this listener requires one"_s
            : TlsText::handshakeFailureWords(text);
    } else {
        reason = u"the connection failed during the handshake: "_s + text;
    }
    fail(reason, text);
}

void ServerConnection::fail(const QString &reason, const QString &technical)
{
    EventDetails d {{u"reason"_s, reason}};
    if (!technical.isEmpty())
        d.insert(u"openssl"_s, technical);
    if (m_recorder.phase() != ConnectionPhase::FirstBytes)
        m_recorder.record(EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: "_s + reason, d);
    Q_EMIT failed();
    closeSoon(SessionState::Failed, reason);
}

void ServerConnection::onTimeout()
{
    if (m_recorder.isDone() || m_recorder.phase() == ConnectionPhase::Encrypted)
        return;
    const qint64 limitUs = qint64(m_settings.handshakeTimeoutMs) * 1000;
    const qint64 now = nowUs();
    const std::shared_ptr<TlsTap> &tap = m_recorder.tap();
    const quint64 received
        = tap && tap->bytesReceived() > 0 ? tap->bytesReceived() : quint64(std::max<qsizetype>(m_firstBytesSeen, 0));
    const qint64 lastUs = tap && tap->lastReceivedUs() > 0 ? tap->lastReceivedUs() : m_lastByteUs;
    QString reason;
    if (received == 0) {
        reason = u"the client sent nothing for %1"_s.arg(seconds(limitUs));
    } else if (now - lastUs < std::min<qint64>(limitUs / 4, 1'000'000)) {
        // Bytes were still arriving: a slow client, not a silent one.
        reason = u"the client was still sending, too slowly: %1 bytes in %2, the last %3 ago; the handshake must "
                 u"complete within %4"_s.arg(received)
                     .arg(seconds(now - m_recorder.session().startUs), seconds(now - lastUs), seconds(limitUs));
    } else if (m_recorder.phase() == ConnectionPhase::FirstBytes) {
        const QByteArray bytes = m_socket->peek(std::min<qsizetype>(m_socket->bytesAvailable(), 64));
        reason = u"the client sent %1 bytes (\"%2\") and then nothing for %3"_s.arg(received).arg(
            previewBytes(bytes, 32), seconds(now - lastUs));
    } else {
        reason = u"the handshake did not complete within %1: the client sent %2 bytes, then nothing for %3"_s
                     .arg(seconds(limitUs))
                     .arg(received)
                     .arg(seconds(now - lastUs));
    }
    m_recorder.record(EventKind::Timeout, Severity::Warning, u"Timeout: "_s + reason,
        EventDetails {{u"timeout_ms"_s, m_settings.handshakeTimeoutMs}, {u"bytes"_s, qint64(received)},
            {u"idle_ms"_s, received ? (now - lastUs) / 1000 : limitUs / 1000}});
    fail(reason);
}

void ServerConnection::onDisconnected()
{
    if (m_recorder.isDone()) {
        end(m_recorder.session().state, {});
        return;
    }
    if (m_recorder.phase() == ConnectionPhase::Encrypted) {
        m_recorder.record(EventKind::Closed, Severity::Info, u"Connection closed"_s);
        closeSoon(SessionState::Closed);
        return;
    }
    onError(QAbstractSocket::RemoteHostClosedError);
}

void ServerConnection::shutDown()
{
    if (!m_recorder.isDone()) {
        const bool encrypted = m_recorder.phase() == ConnectionPhase::Encrypted;
        m_recorder.record(EventKind::Closed, Severity::Info, u"Connection closed by the listener (stopping)"_s);
        m_recorder.finish(
            encrypted ? SessionState::Closed : SessionState::Failed, encrypted ? QString() : u"the listener stopped"_s);
    }
    m_socket->disconnectFromHost();
    m_socket->flush();
    m_socket->abort();
    m_recorder.drainTap();
}

void ServerConnection::closeSoon(SessionState state, const QString &reason, bool abortPending)
{
    m_timer.stop();
    m_idleTimer.stop();
    m_backlogTimer.stop();
    m_recorder.setPhase(ConnectionPhase::Done);
    m_recorder.session().state = state;
    if (!reason.isEmpty())
        m_recorder.session().reason = reason;
    m_recorder.publish();
    // Not now: this may run inside a socket signal, and Qt moves OpenSSL's fatal alert to the socket only after the
    // signal returns. On the next turn, flush() also sends an alert OpenSSL wrote after the handshake (Qt itself only
    // flushes alerts during the handshake); then close gracefully, so the client reads it all.
    QTimer::singleShot(0, this, [this, state, reason, abortPending] {
        if (abortPending)
            m_socket->abort();
        if (m_socket->state() != QAbstractSocket::UnconnectedState) {
            m_socket->flush();
            m_socket->disconnectFromHost();
        }
        m_recorder.finish(state, reason);
        if (m_socket->state() == QAbstractSocket::UnconnectedState) {
            end(state, reason);
            return;
        }
        // Give the socket time to send what is left; never wait forever.
        QTimer::singleShot(2000, this, [this, state, reason] {
            m_socket->abort();
            end(state, reason);
        });
    });
}

void ServerConnection::end(SessionState state, const QString &reason)
{
    if (m_finishedSignalled)
        return;
    m_recorder.finish(state, reason);
    m_recorder.drainTap();
    releaseOwnDescriptor();
    m_finishedSignalled = true;
    Q_EMIT finished();
}

} // namespace TlsLab::Model
