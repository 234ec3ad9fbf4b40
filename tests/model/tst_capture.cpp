// Capture files and the Wireshark export, below the command line: what the writer records reads back the same; every
// truncation reads as a prefix and says so; every changed byte is noticed; the size and retention limits hold; the
// wire store forgets the oldest sessions at its limit; the pcapng puts the secrets before the packets.
#include "model/capture/captureformat.h"
#include "model/capture/capturereader.h"
#include "model/capture/capturewriter.h"
#include "model/capture/pcapngexport.h"
#include "model/capture/wirestore.h"
#include "model/certs/certificategenerator.h"
#include "model/timeline/timeline.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTrip();
    void sessionKeepsEveryField();
    void unknownSessionFieldsAreSkipped();
    void damagedDetailsAreKeptNotTrusted();
    void openSessionsAreWrittenOncePerFlush();
    void handlersSeeWhatReadCollects();
    void everyTruncationReadsAPrefix();
    void everyChangedByteIsNoticed();
    void sizeLimitStopsAndSaysSo();
    void retentionRemovesOldAndExcess();
    void wireStoreForgetsOldestAtItsLimit();
    void pcapngHasSecretsBeforePackets();

private:
    QByteArray smallCapture();

    QTemporaryDir m_dir;
};

void TestCapture::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

// Three events, two session updates, wire bytes and a key log line, written through a real Timeline.
QByteArray TestCapture::smallCapture()
{
    const QString path = m_dir.filePath(u"small.tlscap"_s);
    Timeline timeline;
    WireStore *store = WireStore::of(&timeline);
    CaptureOptions options;
    options.path = path;
    options.wire = true;
    {
        auto writer = CaptureWriter::start(&timeline, options);
        if (!writer)
            return {};
        Session s;
        s.id = 77;
        s.localAddress = u"127.0.0.1"_s;
        s.localPort = 4433;
        s.peerAddress = u"127.0.0.1"_s;
        s.peerPort = 50000;
        timeline.updateSession(s);
        timeline.updateSession(s); // an open session is written with the next flush, once
        (*writer)->flush();
        timeline.record(77, Side::Server, EventKind::TcpAccepted, Severity::Info, u"TCP connection accepted"_s,
            {{u"peer"_s, u"127.0.0.1:50000"_s}});
        timeline.record(77, Side::Server, EventKind::ClientHello, Severity::Info, u"ClientHello: TLS 1.3, SNI é"_s,
            {{u"sni"_s, u"localhost"_s}, {u"ciphers"_s, 31}});
        store->addKeyLogLine(77, "CLIENT_RANDOM 00 11");
        s.protocol = u"TLSv1.3"_s;
        s.endUs = nowUs();
        s.state = SessionState::Closed;
        store->addWire(77, {{1, false, "\x16\x03\x01hello"}, {2, true, "\x16\x03\x03world"}}, false);
        timeline.updateSession(s);
        timeline.record(77, Side::Server, EventKind::Closed, Severity::Info, u"Closed"_s);
    } // the writer flushes when it ends
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void TestCapture::roundTrip()
{
    const QByteArray data = smallCapture();
    QVERIFY(!data.isEmpty());
    const auto read = CaptureReader::read(data, u"small"_s);
    QVERIFY2(read, qPrintable(read.error()));
    const Capture &c = read.value();
    QVERIFY2(!c.damaged, qPrintable(c.damage));
    QVERIFY(c.writer.startsWith(u"tlslab "_s));
    QCOMPARE(c.events.size(), 3);
    QCOMPARE(c.events.at(1).kind, EventKind::ClientHello);
    QCOMPARE(c.events.at(1).summary, u"ClientHello: TLS 1.3, SNI é"_s);
    QCOMPARE(c.events.at(1).details.value(u"ciphers").toInteger(), 31);
    QCOMPARE(c.events.at(1).details.value(u"sni").toString(), u"localhost"_s);
    QCOMPARE(c.sessions.size(), 1); // two updates, the last wins
    QCOMPARE(c.sessions.first().protocol, u"TLSv1.3"_s);
    QCOMPARE(c.sessions.first().state, SessionState::Closed);
    QCOMPARE(c.sessions.first().peerPort, quint16(50000));
    const SessionWire wire = c.wire.value(77);
    QCOMPARE(wire.keyLogLines, QList<QByteArray> {"CLIENT_RANDOM 00 11"});
    QCOMPARE(wire.chunks.size(), 2);
    QCOMPARE(wire.chunks.at(1).bytes, QByteArray("\x16\x03\x03world"));
    QCOMPARE(wire.chunks.at(1).sent, true);
}

void TestCapture::sessionKeepsEveryField()
{
    CertificateRequest request;
    request.subject.commonName = u"capture test"_s;
    request.subjectAltNames = {u"DNS:localhost"_s};
    const auto identity = CertificateGenerator::generate(request);
    QVERIFY2(identity, qPrintable(identity.error()));
    const QSslCertificate certificate = identity->leaf();

    Session s;
    s.id = 4242;
    s.side = Side::Client;
    s.state = SessionState::Failed;
    s.localAddress = u"127.0.0.1"_s;
    s.localPort = 50001;
    s.peerAddress = u"::1"_s;
    s.peerPort = 4481;
    s.peerName = u"localhost"_s;
    s.startUs = 1'700'000'000'000'001;
    s.endUs = 1'700'000'000'500'002;
    s.linkedSession = 4241;
    s.protocol = u"TLSv1.3"_s;
    s.cipher = u"TLS_AES_128_GCM_SHA256"_s;
    s.alpn = u"h2"_s;
    s.ephemeralKey = u"X25519"_s;
    s.group = u"x25519"_s;
    s.resumed = true;
    s.ja3 = u"771,4865,0-10,29,0"_s;
    s.ja3Md5 = u"0123456789abcdef0123456789abcdef"_s;
    s.ja4 = u"t13d0101h2_aaaaaaaaaaaa_bbbbbbbbbbbb"_s;
    s.ticketsReceived = 2;
    s.peerChain = {certificate, certificate};
    s.verifyErrors = {QSslError(QSslError::SelfSignedCertificate, certificate)};
    s.untrusted = true;
    s.reason = u"the server's certificate is self-signed — é"_s;
    s.bytesSent = 12345678901ull;
    s.bytesReceived = 7;
    s.diagnosis = QJsonObject {{u"cause_code"_s, u"untrusted-root"_s}, {u"facts"_s, QJsonArray {1, u"two"_s}}};

    const QByteArray payload = CaptureFormat::sessionPayload(s);
    Session read;
    QVERIFY(CaptureFormat::decodeSession(QByteArrayView(payload).sliced(1), read));
    QCOMPARE(read.id, s.id);
    QCOMPARE(read.side, s.side);
    QCOMPARE(read.state, s.state);
    QCOMPARE(read.localAddress, s.localAddress);
    QCOMPARE(read.localPort, s.localPort);
    QCOMPARE(read.peerAddress, s.peerAddress);
    QCOMPARE(read.peerPort, s.peerPort);
    QCOMPARE(read.peerName, s.peerName);
    QCOMPARE(read.startUs, s.startUs);
    QCOMPARE(read.endUs, s.endUs);
    QCOMPARE(read.linkedSession, s.linkedSession);
    QCOMPARE(read.protocol, s.protocol);
    QCOMPARE(read.cipher, s.cipher);
    QCOMPARE(read.alpn, s.alpn);
    QCOMPARE(read.ephemeralKey, s.ephemeralKey);
    QCOMPARE(read.group, s.group);
    QCOMPARE(read.resumed, s.resumed);
    QCOMPARE(read.ja3, s.ja3);
    QCOMPARE(read.ja3Md5, s.ja3Md5);
    QCOMPARE(read.ja4, s.ja4);
    QCOMPARE(read.ticketsReceived, s.ticketsReceived);
    QCOMPARE(read.peerChain, s.peerChain);
    QCOMPARE(read.verifyErrors.size(), 1);
    QCOMPARE(read.verifyErrors.first().error(), QSslError::SelfSignedCertificate);
    QCOMPARE(read.verifyErrors.first().certificate(), certificate);
    QCOMPARE(read.untrusted, s.untrusted);
    QCOMPARE(read.reason, s.reason);
    QCOMPARE(read.bytesSent, s.bytesSent);
    QCOMPARE(read.bytesReceived, s.bytesReceived);
    QCOMPARE(read.diagnosis, s.diagnosis);

    // A record cut anywhere, or with a field of the wrong type, is refused, never half-read as a session.
    for (qsizetype cut = 1; cut < payload.size(); ++cut) {
        Session partial;
        QVERIFY2(!CaptureFormat::decodeSession(QByteArrayView(payload).sliced(1, cut - 1), partial),
            qPrintable(QString::number(cut)));
    }
    Session wrong;
    QVERIFY(!CaptureFormat::decodeSession(
        QCborMap {{u"id"_s, 5}, {u"peer_port"_s, u"4481"_s}}.toCborValue().toCbor(), wrong));
}

void TestCapture::unknownSessionFieldsAreSkipped()
{
    // A later writer may add fields of any shape; this reader keeps what it knows.
    const QCborMap map {{u"id"_s, 9}, {u"future_list"_s, QCborArray {1, QCborMap {{u"x"_s, true}}}},
        {u"protocol"_s, u"TLSv1.2"_s}, {u"future_number"_s, 2.5}, {u"state"_s, u"closed"_s}};
    Session s;
    QVERIFY(CaptureFormat::decodeSession(map.toCborValue().toCbor(), s));
    QCOMPARE(s.id, quint64(9));
    QCOMPARE(s.protocol, u"TLSv1.2"_s);
    QCOMPARE(s.state, SessionState::Closed);
    Session none;
    QVERIFY(!CaptureFormat::decodeSession(QCborMap {{u"protocol"_s, u"TLSv1.2"_s}}.toCborValue().toCbor(), none));
}

void TestCapture::damagedDetailsAreKeptNotTrusted()
{
    // Found by fuzz_capturereader: details whose CRC is right but whose text is not UTF-8. Qt 6.4's QCborValue then
    // hands back a half-built map, and reading it read past its storage. They are kept, under a name that says so.
    const QByteArray fields = QByteArray::fromHex("6161"
                                                  "63"
                                                  "61ff62");
    Event event;
    event.timeUs = 1;
    event.session = 1;
    event.kind = EventKind::TlsMessage;
    event.summary = u"damaged"_s;
    event.details = EventDetails::fromEncodedFields(fields);
    QByteArray file = CaptureFormat::fileHeader();
    CaptureFormat::appendRecord(file, CaptureFormat::headerPayload(0));
    CaptureFormat::appendRecord(file, CaptureFormat::eventPayload(event));
    const auto read = CaptureReader::read(file);
    QVERIFY2(read, qPrintable(read.error()));
    QCOMPARE(read->events.size(), 1);
    const Event &e = read->events.first();
    QCOMPARE(e.details.toMap().value(u"undecodable_details"_s).toByteArray(), fields);
    QVERIFY(e.details.toJsonObject().contains(u"undecodable_details"_s));
    QVERIFY(!e.toJsonLine().isEmpty());
    QVERIFY(!e.toText().isEmpty());
    QVERIFY(e.details.value(u"a"_s).isUndefined());

    // A session's diagnosis that does not decode is left out; the rest of the session is read.
    QByteArray session = QCborMap {{u"id"_s, 4}, {u"state"_s, u"closed"_s}}.toCborValue().toCbor();
    session[0] = char(0xa3); // three pairs: the third is the damaged diagnosis
    session += QByteArray::fromHex("69646961676e6f736973"
                                   "a1"
                                   "6161"
                                   "63"
                                   "61ff62");
    Session s;
    CaptureFormat::decodeSession(session, s);
    QVERIFY(s.diagnosis.isEmpty());
}

void TestCapture::openSessionsAreWrittenOncePerFlush()
{
    const QString path = m_dir.filePath(u"sessions.tlscap"_s);
    Timeline timeline;
    CaptureOptions options;
    options.path = path;
    {
        auto writer = CaptureWriter::start(&timeline, options);
        QVERIFY2(writer, qPrintable(writer.error()));
        Session a;
        a.id = 5;
        for (int i = 0; i < 4; ++i) { // a session's first milliseconds: one record when it ends
            a.bytesReceived = quint64(i);
            timeline.updateSession(a);
        }
        a.endUs = nowUs();
        a.state = SessionState::Closed;
        timeline.updateSession(a);
        Session b;
        b.id = 6;
        b.bytesReceived = 1;
        timeline.updateSession(b);
        (*writer)->flush(); // still open: its latest state goes out with the flush
        b.bytesReceived = 2;
        timeline.updateSession(b);
    } // ...and with the last one
    QList<Session> records;
    CaptureReader::Handlers handlers;
    handlers.session = [&records](const Session &session) {
        records.append(session);
        return true;
    };
    QVERIFY(CaptureReader::readFile(path, handlers));
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(0).id, quint64(5));
    QCOMPARE(records.at(0).state, SessionState::Closed);
    QCOMPARE(records.at(0).bytesReceived, quint64(3));
    QCOMPARE(records.at(1).id, quint64(6));
    QCOMPARE(records.at(1).bytesReceived, quint64(1));
    QCOMPARE(records.at(2).bytesReceived, quint64(2));
}

void TestCapture::handlersSeeWhatReadCollects()
{
    // The capture window's path (events and sessions handed over as read, the events as stored bytes) sees what
    // read() collects, into a timeline that then holds the same events; a handler can stop the reading.
    const QByteArray data = smallCapture();
    const auto whole = CaptureReader::read(data, u"small"_s);
    QVERIFY(whole);
    Timeline timeline;
    QList<Session> sessions;
    CaptureReader::Handlers handlers;
    handlers.event = [&timeline](const EventHeader &header, QByteArrayView summary, QByteArrayView details) {
        timeline.appendEncoded(header, summary, details);
        return true;
    };
    handlers.session = [&sessions](const Session &session) {
        sessions.append(session);
        return true;
    };
    const auto streamed = CaptureReader::read(data, u"small"_s, handlers);
    QVERIFY(streamed);
    QVERIFY(streamed->events.isEmpty());
    QCOMPARE(streamed->eventCount, whole->events.size());
    QCOMPARE(timeline.eventCount(), whole->events.size());
    for (qsizetype i = 0; i < timeline.eventCount(); ++i) {
        const Event a = timeline.event(i);
        const Event &b = whole->events.at(i);
        QCOMPARE(a.timeUs, b.timeUs);
        QCOMPARE(a.session, b.session);
        QCOMPARE(a.kind, b.kind);
        QCOMPARE(a.side, b.side);
        QCOMPARE(a.severity, b.severity);
        QCOMPARE(a.summary, b.summary);
        QVERIFY(a.details == b.details);
    }
    QCOMPARE(sessions.size(), 2); // every record of the session, the last one its state
    QCOMPARE(sessions.last().state, whole->sessions.first().state);
    QCOMPARE(streamed->wire.value(77).chunks.size(), 2);

    int seen = 0;
    handlers.event = [&seen](const EventHeader &, QByteArrayView, QByteArrayView) { return ++seen < 2; };
    const auto stopped = CaptureReader::read(data, u"small"_s, handlers);
    QVERIFY(stopped);
    QVERIFY(stopped->cancelled);
    QCOMPARE(seen, 2);
}

void TestCapture::everyTruncationReadsAPrefix()
{
    const QByteArray data = smallCapture();
    QVERIFY(!data.isEmpty());
    // Where records end: a prefix that ends there is a shorter capture, not a damaged one.
    QList<qsizetype> boundaries;
    for (qsizetype at = 12; at + 8 <= data.size();) {
        at += 8 + qFromLittleEndian<quint32>(data.constData() + at);
        boundaries.append(at);
    }
    QCOMPARE(boundaries.last(), data.size());
    qsizetype previous = 0;
    for (qsizetype n = 0; n < data.size(); ++n) {
        const auto read = CaptureReader::read(data.first(n));
        if (n < 12) {
            QVERIFY(!read);
            continue;
        }
        QVERIFY(read);
        QVERIFY(read->events.size() >= previous); // a longer prefix never reads less
        previous = read->events.size();
        if (n > 12 && !boundaries.contains(n)) {
            QVERIFY2(read->damaged, qPrintable(QString::number(n)));
            QVERIFY(read->damage.contains(u"truncated"_s));
            QVERIFY(read->damageOffset >= 12 && read->damageOffset <= n);
        }
    }
    QCOMPARE(previous, 2); // the last record is the third event
}

void TestCapture::everyChangedByteIsNoticed()
{
    const QByteArray data = smallCapture();
    QVERIFY(!data.isEmpty());
    for (qsizetype i = 0; i < data.size(); ++i) {
        QByteArray changed = data;
        changed[i] = char(changed.at(i) ^ 0x01);
        const auto read = CaptureReader::read(changed);
        // Either not a capture at all (the magic), or a newer version it refuses, or damage found: never silence.
        if (read)
            QVERIFY2(read->damaged, qPrintable(u"byte %1 changed unnoticed"_s.arg(i)));
    }
}

void TestCapture::sizeLimitStopsAndSaysSo()
{
    Timeline timeline;
    CaptureOptions options;
    options.path = m_dir.filePath(u"limited.tlscap"_s);
    options.maxFileBytes = 4096;
    {
        auto writer = CaptureWriter::start(&timeline, options);
        QVERIFY(writer);
        for (int i = 0; i < 1000; ++i)
            timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"Received 10 bytes"_s);
        QVERIFY(writer.value()->isStopped());
    }
    QVERIFY(QFileInfo(options.path).size() <= 4096);
    const auto read = CaptureReader::readFile(options.path);
    QVERIFY(read);
    QVERIFY(!read->damaged);
    QVERIFY(read->stoppedReason.contains(u"size limit"_s));
    QVERIFY(read->events.size() > 10);
    QVERIFY(read->events.size() < 1000);
}

void TestCapture::retentionRemovesOldAndExcess()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const auto make = [&folder](const QString &name, int bytes, int daysOld) {
        QFile f(folder.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(QByteArray(bytes, 'x'));
        f.flush(); // before the time is set, or closing sets it to now
        f.setFileTime(
            QDateTime::currentDateTimeUtc().addDays(-daysOld).addSecs(-bytes), QFileDevice::FileModificationTime);
    };
    make(u"old.tlscap"_s, 10, 30);
    make(u"a.tlscap"_s, 1000, 1);
    make(u"b.tlscap"_s, 1000, 2);
    make(u"c.tlscap"_s, 1000, 3);
    make(u"other.txt"_s, 10, 30); // not a capture: never touched
    QCOMPARE(CaptureWriter::applyRetention(folder.path(), 2500, 14), 2);
    QStringList left = QDir(folder.path()).entryList(QDir::Files);
    left.sort();
    QCOMPARE(left, (QStringList {u"a.tlscap"_s, u"b.tlscap"_s, u"other.txt"_s}));
}

void TestCapture::wireStoreForgetsOldestAtItsLimit()
{
    Timeline timeline;
    WireStore *store = WireStore::of(&timeline);
    QCOMPARE(WireStore::find(&timeline), store);
    QCOMPARE(WireStore::of(&timeline), store);
    store->setByteLimit(2500);
    for (quint64 id = 1; id <= 5; ++id)
        store->addWire(id, {{1, true, QByteArray(1000, 'a')}}, false);
    QCOMPARE(store->sessions(), (QList<quint64> {4, 5}));
    QCOMPARE(store->sessionsDropped(), 3);
    QVERIFY(store->bytesKept() <= 2500);
    QCOMPARE(store->wire(1).session, quint64(0));
    QCOMPARE(store->wire(5).chunks.size(), 1);
}

void TestCapture::pcapngHasSecretsBeforePackets()
{
    Session s;
    s.id = 9;
    s.side = Side::Client;
    s.localAddress = u"127.0.0.1"_s;
    s.localPort = 40000;
    s.peerAddress = u"127.0.0.1"_s;
    s.peerPort = 443;
    SessionWire wire {9, {{10, true, QByteArray(3000, 'c')}, {20, false, "answer"}}, false, {"LINE one", "LINE two"}};
    PcapngExport::Summary summary;
    const QByteArray data = PcapngExport::build({{s, wire}}, &summary);
    QCOMPARE(summary.sessions, 1);
    QCOMPARE(summary.keyLogLines, 2);
    // SYN, SYN-ACK, ACK; 3000 bytes in 3 segments of at most 1460; one segment back; FIN, FIN, ACK.
    QCOMPARE(summary.packets, 3 + 3 + 1 + 3);

    QList<quint32> types;
    QByteArray secrets;
    for (qsizetype at = 0; at + 8 <= data.size();) {
        const quint32 type = qFromLittleEndian<quint32>(data.constData() + at);
        const quint32 length = qFromLittleEndian<quint32>(data.constData() + at + 4);
        QVERIFY(length >= 12 && length % 4 == 0 && at + length <= data.size());
        types.append(type);
        if (type == 0x0A) {
            QCOMPARE(qFromLittleEndian<quint32>(data.constData() + at + 8), 0x544c534bu);
            secrets = data.mid(at + 16, qFromLittleEndian<quint32>(data.constData() + at + 12));
        }
        at += length;
    }
    QCOMPARE(types.mid(0, 3), (QList<quint32> {0x0A0D0D0A, 1, 0x0A}));
    QCOMPARE(types.count(6), summary.packets);
    QCOMPARE(secrets, QByteArray("LINE one\nLINE two\n"));
    QCOMPARE(PcapngExport::keyLog({{s, wire}, {s, wire}}), QByteArray("LINE one\nLINE two\n")); // deduplicated
}

QTEST_GUILESS_MAIN(TestCapture)
#include "tst_capture.moc"
