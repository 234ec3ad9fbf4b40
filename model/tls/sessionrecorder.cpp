#include "model/tls/sessionrecorder.h"

#include "model/capture/wirestore.h"
#include "model/timeline/timeline.h"
#include "model/tls/clienthello.h"
#include "model/tls/fingerprints.h"
#include "model/tls/grease.h"
#include "model/tls/handshakemessage.h"
#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"
#include "model/tls/tlstext.h"

#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

QStringList versionNames(const ClientHelloDissection &hello)
{
    QStringList versions;
    for (quint16 v :
        hello.supportedVersions.isEmpty() ? QList<quint16> {hello.legacyVersion} : hello.supportedVersions) {
        if (!isGrease(v))
            versions.append(tlsVersionName(v));
    }
    return versions;
}

// Appends every field of map to details, encoded at once: the same bytes as inserting them one by one, with one
// encoder instead of one per value.
void insertAll(EventDetails &details, const QCborMap &map)
{
    if (map.isEmpty())
        return;
    const QByteArray encoded = QCborValue(map).toCbor();
    const auto info = quint8(encoded.at(0)) & 31; // the map's head, then exactly its fields
    const qsizetype headSize = info < 24 ? 1 : info == 24 ? 2 : info == 25 ? 3 : info == 26 ? 5 : 9;
    QByteArray fields = details.encodedFields();
    fields.append(QByteArrayView(encoded).sliced(headSize));
    details = EventDetails::fromEncodedFields(fields);
}

QStringList groupNames(const ClientHelloDissection &hello)
{
    QStringList groups;
    for (quint16 g : hello.supportedGroups) {
        if (!isGrease(g))
            groups.append(namedGroupLabel(g));
    }
    return groups;
}

} // namespace

SessionRecorder::SessionRecorder(Timeline *timeline, Side side)
    : m_timeline(timeline)
{
    m_session.id = Timeline::newSessionId();
    m_session.side = side;
    m_session.startUs = nowUs();
    m_phase = side == Side::Server ? ConnectionPhase::FirstBytes : ConnectionPhase::Connecting;
}

void SessionRecorder::record(EventKind kind, Severity severity, const QString &summary, const EventDetails &details)
{
    drainTap();
    m_timeline->record(m_session.id, m_session.side, kind, severity, summary, details);
}

void SessionRecorder::record(const SocketFacts::EventParts &event)
{
    record(event.kind, event.severity, event.summary, event.details);
}

void SessionRecorder::publish()
{
    m_timeline->updateSession(m_session);
}

void SessionRecorder::finish(SessionState state, const QString &reason)
{
    if (m_session.endUs != 0)
        return;
    drainTap();
    if (WireStore *store = m_tap ? WireStore::find(m_timeline) : nullptr) // kept for the Wireshark export
        store->addWire(m_session.id, m_tap->wire(), m_tap->wireTruncated());
    m_phase = ConnectionPhase::Done;
    m_session.state = state;
    if (!reason.isEmpty())
        m_session.reason = reason;
    m_session.endUs = nowUs();
    publish();
}

void SessionRecorder::attachTap(const std::shared_ptr<TlsTap> &tap, QObject *context)
{
    m_tap = tap;
    if (m_tap)
        m_tap->setReceiver(context, [this] { drainTap(); });
}

void SessionRecorder::drainTap()
{
    if (!m_tap)
        return;
    const QList<TapItem> items = m_tap->takeItems();
    for (const TapItem &item : items)
        recordTapItem(item);
}

void SessionRecorder::stamp(
    qint64 timeUs, EventKind kind, Severity severity, const QString &summary, const EventDetails &details)
{
    m_timeline->append(Event {timeUs, m_session.id, m_session.side, kind, severity, summary, details});
}

void SessionRecorder::recordTapItem(const TapItem &item)
{
    const QString direction = item.sent ? u"sent"_s : u"received"_s;
    switch (item.kind) {
    case TapItem::Kind::KeyLogLine:
        if (m_keyLogSink)
            m_keyLogSink(item.bytes);
        if (WireStore *store = WireStore::find(m_timeline))
            store->addKeyLogLine(m_session.id, item.bytes);
        return;
    case TapItem::Kind::ChangeCipherSpec:
        stamp(item.timeUs, EventKind::TlsMessage, Severity::Debug, u"ChangeCipherSpec "_s + direction,
            EventDetails {{u"direction"_s, direction}, {u"type"_s, u"ChangeCipherSpec"_s},
                {u"bytes"_s, item.bytes.size()}, {u"encrypted"_s, item.encrypted}});
        return;
    case TapItem::Kind::Alert:
    case TapItem::Kind::AlertSent:
    case TapItem::Kind::AlertNotSent: {
        if (item.bytes.size() < 2)
            return;
        const bool fatal = quint8(item.bytes.at(0)) == 2;
        const int code = quint8(item.bytes.at(1));
        const QString name = TlsText::alertTypeName(QSsl::AlertType(code));
        const QString level = fatal ? u"fatal"_s : u"warning"_s;
        EventDetails d {{u"level"_s, level}, {u"type"_s, name}, {u"code"_s, code}, {u"encrypted"_s, item.encrypted},
            {u"wire"_s, item.kind != TapItem::Kind::AlertNotSent}};
        const QString how = item.encrypted ? u" (encrypted)"_s : QString();
        if (item.kind == TapItem::Kind::Alert) {
            if (code != 0)
                m_lastAlertReceived = name;
            stamp(item.timeUs, EventKind::AlertReceived, fatal ? Severity::Error : Severity::Info,
                u"Alert received: "_s + level + u' ' + name + how, d);
        } else if (item.kind == TapItem::Kind::AlertSent) {
            if (code != 0)
                m_lastAlertSent = name;
            stamp(item.timeUs, EventKind::AlertSent, fatal ? Severity::Error : Severity::Info,
                u"Alert sent: "_s + level + u' ' + name + how, d);
        } else {
            d.insert(u"not_sent"_s, true);
            stamp(item.timeUs, EventKind::AlertSent, Severity::Warning,
                u"OpenSSL produced the alert %1 %2; it could not be sent (the connection closed first)"_s.arg(
                    level, name),
                d);
        }
        return;
    }
    case TapItem::Kind::Handshake:
        break;
    }
    if (item.bytes.size() < 4)
        return;
    const quint8 typeCode = quint8(item.bytes.at(0));
    QString type = handshakeMessageName(typeCode);
    EventDetails d {{u"direction"_s, direction}, {u"type_code"_s, int(typeCode)}, {u"bytes"_s, item.bytes.size()},
        {u"encrypted"_s, item.encrypted}};
    QString facts;
    EventKind kind = EventKind::TlsMessage;
    Severity severity = Severity::Debug;
    if (typeCode == 1) {
        const ClientHelloDissection hello = dissectClientHello(item.bytes);
        // Written straight into the details: a QCborMap of the hello, then encoded, cost several times the parsing.
        QByteArray fields = d.encodedFields();
        hello.appendCborFields(fields);
        d = EventDetails::fromEncodedFields(fields);
        if (hello.status == DissectionStatus::Complete) {
            const ClientFingerprints fingerprints = clientFingerprints(hello);
            // ClientFingerprints::toCbor()'s fields, in its order.
            d.insert(u"ja3"_s, fingerprints.ja3);
            d.insert(u"ja3_md5"_s, fingerprints.ja3Md5);
            d.insert(u"ja3n"_s, fingerprints.ja3n);
            d.insert(u"ja3n_md5"_s, fingerprints.ja3nMd5);
            d.insert(u"ja4"_s, fingerprints.ja4);
            d.insert(u"ja4_r"_s, fingerprints.ja4r);
            if (!item.sent && m_session.ja4.isEmpty()) {
                m_session.ja3 = fingerprints.ja3;
                m_session.ja3Md5 = fingerprints.ja3Md5;
                m_session.ja4 = fingerprints.ja4;
            }
            d.insert(u"sni"_s, hello.serverName);
            d.insert(u"versions"_s, versionNames(hello));
            d.insert(u"groups"_s, groupNames(hello));
            facts = hello.summary();
            if (!item.sent && m_session.peerName.isEmpty())
                m_session.peerName = hello.serverName;
        }
        if (!item.sent && !m_helloSeen) {
            // The listener's view of a client's hello keeps its own kind, as the first-bytes parser had it; the
            // records and socket reads it took tell a hello split by a middlebox (or a slow client) apart.
            kind = EventKind::ClientHello;
            severity = Severity::Info;
            d.insert(u"records"_s, item.records);
            d.insert(u"reads"_s, item.reads);
            facts += u" (%1 bytes in %2 record%3, %4 read%5)"_s.arg(item.bytes.size())
                         .arg(item.records)
                         .arg(item.records == 1 ? QString() : u"s"_s)
                         .arg(item.reads)
                         .arg(item.reads == 1 ? QString() : u"s"_s);
        }
        m_helloSeen = true;
    } else if (typeCode == 2) {
        const ServerHelloDissection hello = dissectServerHello(item.bytes);
        QByteArray fields = d.encodedFields();
        hello.appendCborFields(fields);
        d = EventDetails::fromEncodedFields(fields);
        if (hello.helloRetryRequest)
            type = u"HelloRetryRequest"_s;
        if (hello.status == DissectionStatus::Complete) {
            const ServerFingerprints fingerprints = serverFingerprints(hello);
            d.insert(u"ja3s"_s, fingerprints.ja3s);
            d.insert(u"ja3s_md5"_s, fingerprints.ja3sMd5);
            facts = hello.summary();
            if (!hello.helloRetryRequest)
                m_negotiatedVersion = hello.version();
        }
    } else {
        insertAll(d, decodeHandshakeMessage(typeCode, QByteArrayView(item.bytes).sliced(4), m_negotiatedVersion));
        if (typeCode == 4 && !item.sent)
            ++m_session.ticketsReceived;
    }
    d.insert(u"type"_s, type);
    // "ServerHello received: TLS 1.3, ...": the dissection's own line starts with the message's name.
    QString summary;
    if (facts.startsWith(type))
        summary = kind == EventKind::ClientHello ? facts : type + u' ' + direction + facts.mid(type.size());
    else
        summary = type + u' ' + direction + u": "_s + (facts.isEmpty() ? u"%1 bytes"_s.arg(item.bytes.size()) : facts);
    if (item.encrypted)
        summary += u" (encrypted)"_s;
    stamp(item.timeUs, kind, severity, summary, d);
}

void SessionRecorder::qtAlert(bool sent, QSsl::AlertLevel level, QSsl::AlertType type, const QString &description)
{
    if (tapSeesAlerts())
        return;
    if (type != QSsl::AlertType::CloseNotify) {
        (sent ? m_lastAlertSent : m_lastAlertReceived) = TlsText::alertTypeName(type);
    }
    SocketFacts::EventParts e = SocketFacts::alertEvent(sent, level, type, description);
    // Without the tap this is what OpenSSL produced, not necessarily what crossed the wire.
    e.details.insert(u"wire"_s, false);
    record(e);
}

QList<QSslError> SessionRecorder::recordTapVerifyFailures(const QString &whose)
{
    QList<QSslError> errors;
    if (!m_tap)
        return errors;
    for (const TapVerifyFailure &f : m_tap->verifyFailures()) {
        const QList<QSslCertificate> certs = QSslCertificate::fromData(f.certificateDer, QSsl::Der);
        const QSslError error(TlsText::sslErrorFromX509(f.x509Error), certs.value(0));
        errors.append(error);
        SocketFacts::EventParts e = SocketFacts::verifyErrorEvent(error, whose);
        e.details.insert(u"x509_error"_s, f.x509Error);
        e.details.insert(u"openssl"_s, TlsText::x509ErrorText(f.x509Error));
        e.details.insert(u"depth"_s, f.depth);
        if (error.error() == QSslError::UnspecifiedError)
            e.summary = whose + u": "_s + TlsText::x509ErrorText(f.x509Error);
        record(e);
    }
    // The chain that failed is what the user needs to see (and what tells a leaf served alone from a longer chain).
    if (!errors.isEmpty() && m_session.peerChain.isEmpty()) {
        for (const QByteArray &der : m_tap->sentChain())
            m_session.peerChain.append(QSslCertificate(der, QSsl::Der));
    }
    return errors;
}

QByteArray SessionRecorder::receivedWirePrefix(qsizetype max) const
{
    QByteArray prefix;
    if (!m_tap)
        return prefix;
    for (const WireChunk &chunk : m_tap->wire()) {
        if (!chunk.sent)
            prefix += chunk.bytes.left(max - prefix.size());
        if (prefix.size() >= max)
            break;
    }
    return prefix;
}

void SessionRecorder::readEncrypted(const QSslSocket &socket)
{
    drainTap();
    SocketFacts::readEncrypted(socket, m_session);
    if (m_tap && m_tap->isAlive()) {
        m_session.group = m_tap->negotiatedGroup();
        m_session.resumed = m_tap->sessionReused();
        m_session.alpn = QString::fromLatin1(m_tap->selectedAlpn());
    }
}

void SessionRecorder::recordData(bool sent, const QByteArray &data, bool withText)
{
    (sent ? m_session.bytesSent : m_session.bytesReceived) += quint64(data.size());
    EventDetails d = SocketFacts::dataDetails(data);
    if (withText)
        d.insert(u"text"_s, QString::fromUtf8(data.left(64 * 1024)));
    record(
        sent ? EventKind::DataSent : EventKind::DataReceived, Severity::Info, SocketFacts::dataSummary(sent, data), d);
    publish();
}

} // namespace TlsLab::Model
