// The handshake ladder on real loopback handshakes: our Client to our Listener in one process, so every message is
// seen sent by one end and received by the other. The arrows come in the order TLS 1.3 puts them; a click selects
// the message's event; the SVG export is valid XML and the Mermaid export has one line per message. A client that
// rejects the listener's certificate gives a ladder with the failure marked where its alert went out.
#include "model/diagnosis/diagnoser.h"
#include "model/lab.h"
#include "model/timeline/ladder.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "widgets/handshakeladder.h"
#include "widgets/sessiondetails.h"

#include <QBuffer>
#include <QImage>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
QStringList arrows(const Ladder &ladder, bool withoutChangeCipherSpec = true)
{
    QStringList out;
    for (const LadderStep &s : ladder.steps) {
        if (s.kind != LadderStep::Kind::Message || (withoutChangeCipherSpec && s.type == u"ChangeCipherSpec"_s))
            continue;
        out.append((s.from == Side::Client ? u"C "_s : u"S "_s) + s.type);
    }
    return out;
}

bool clientFinishedReceived(const Ladder &ladder)
{
    for (const LadderStep &s : ladder.steps) {
        if (s.from == Side::Client && s.type == u"Finished"_s && s.receivedEvent >= 0 && s.sentEvent >= 0)
            return true;
    }
    return false;
}
} // namespace

class TestHandshakeLadder : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<Lab> m_lab;

    void startListener()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
    }

    // A TLS 1.3 client to our listener; trusting its certificate or not.
    Client *startClient(bool trustListener)
    {
        Client *client = m_lab->createClient();
        ClientConfig config;
        config.port = m_lab->listener().port();
        config.useSystemCaCertificates = false;
        if (trustListener)
            config.caCertificates = {m_lab->listener().identity().leaf()};
        config.askOnVerifyErrors = false; // reject at once with the matching alert, as the command line does
        client->start(config);
        return client;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dataDir.isValid());
        qputenv("TLSLAB_DATA_DIR", m_dataDir.path().toLocal8Bit());
    }

    void init()
    {
        m_lab = std::make_unique<Lab>();
        Diagnoser::of(&m_lab->timeline());
    }

    void cleanup() { m_lab.reset(); }

    void arrowsOfALoopbackHandshakeInOrderOnBothEnds()
    {
        startListener();
        Client *client = startClient(true);
        QSignalSpy encrypted(client, &Client::encrypted);
        QVERIFY(encrypted.wait(10000));
        const quint64 id = client->sessionId();
        Ladder ladder;
        QTRY_VERIFY_WITH_TIMEOUT(
            (ladder = Ladder::build(m_lab->timeline(), id), ladder.bothEnds() && clientFinishedReceived(ladder)),
            10000);
        QCOMPARE(ladder.clientSession, id);
        QVERIFY(ladder.serverSession != 0);
        QVERIFY(ladder.verdict.isEmpty());
        QCOMPARE(ladder.failureStep, -1);

        const QStringList expected {u"C ClientHello"_s, u"S ServerHello"_s, u"S EncryptedExtensions"_s,
            u"S Certificate"_s, u"S CertificateVerify"_s, u"S Finished"_s, u"C Finished"_s};
        const QStringList got = arrows(ladder);
        QVERIFY2(got.mid(0, expected.size()) == expected, qPrintable(got.join(u" | "_s)));
        // What follows the client's Finished comes from the server (its tickets), never a second hello.
        for (const QString &late : got.mid(expected.size()))
            QVERIFY2(late.startsWith(u"S NewSessionTicket"_s), qPrintable(late));

        // Both ends are ours: each handshake message was seen sent and received, with the same size; the first
        // flight is plaintext, the server's messages after ServerHello are encrypted.
        for (const LadderStep &s : ladder.steps) {
            if (s.kind != LadderStep::Kind::Message || s.type == u"NewSessionTicket"_s)
                continue;
            // TLS 1.3's ChangeCipherSpec is sent for middleboxes and dropped silently on receipt: said so, not
            // flagged as a difference.
            if (s.type == u"ChangeCipherSpec"_s && s.receivedEvent < 0) {
                QVERIFY(s.receiptUnseen);
                QVERIFY(!ladder.differs(s));
                continue;
            }
            QVERIFY2(s.sentEvent >= 0 && s.receivedEvent >= 0, qPrintable(s.type + u'\n' + ladder.toMermaid()));
            QCOMPARE(s.receivedBytes, s.bytes);
            QVERIFY(!ladder.differs(s));
            const Event sent = m_lab->timeline().event(s.sentEvent);
            QCOMPARE(sent.side, s.from);
            QCOMPARE(sent.details.value(u"type").toString(), s.type);
            QCOMPARE(
                m_lab->timeline().event(s.receivedEvent).side, s.from == Side::Client ? Side::Server : Side::Client);
            if (s.type == u"ClientHello"_s || s.type == u"ServerHello"_s)
                QVERIFY(!s.encrypted);
            if (s.type == u"Certificate"_s || s.type == u"Finished"_s)
                QVERIFY(s.encrypted);
        }
        // The hellos carry their key facts.
        const auto serverHello = std::find_if(
            ladder.steps.cbegin(), ladder.steps.cend(), [](const LadderStep &s) { return s.type == u"ServerHello"_s; });
        QVERIFY2(serverHello->facts.contains(u"TLS 1.3"_s), qPrintable(serverHello->facts));
        // The same ladder, whichever end is asked for.
        QCOMPARE(arrows(Ladder::build(m_lab->timeline(), ladder.serverSession)).mid(0, expected.size()), expected);

        // The widget: a click on the ServerHello arrow selects its event.
        HandshakeLadder view(&m_lab->timeline());
        view.resize(700, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showSession(id);
        QSignalSpy selected(&view, &HandshakeLadder::eventSelected);
        const qsizetype step = serverHello - ladder.steps.cbegin();
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(view.width() / 2, view.stepY(step)));
        QCOMPARE(selected.size(), 1);
        const Event picked = m_lab->timeline().event(selected.first().first().value<qsizetype>());
        QCOMPARE(picked.details.value(u"type").toString(), u"ServerHello"_s);
        QCOMPARE(view.currentStep(), step);
        // Down moves to the next step.
        QTest::keyClick(&view, Qt::Key_Down);
        QCOMPARE(view.currentStep(), step + 1);

        // SVG: well-formed XML with an <svg> root that names the messages.
        QBuffer svg;
        QVERIFY(svg.open(QIODevice::WriteOnly));
        QVERIFY(view.writeSvg(&svg));
        QXmlStreamReader xml(svg.data());
        QString root;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && root.isEmpty())
                root = xml.name().toString();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(root, u"svg"_s);
        QVERIFY(svg.data().contains("EncryptedExtensions"));

        // Mermaid: a sequenceDiagram with exactly one arrow line per message, in the ladder's order.
        const QString mermaid = view.toMermaid();
        const QStringList lines = mermaid.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), u"sequenceDiagram"_s);
        static const QRegularExpression arrow(u"^    [CS]-{1,2}(>>|x)[CS]: "_s);
        QStringList arrowLines;
        for (const QString &line : lines) {
            if (arrow.match(line).hasMatch())
                arrowLines.append(line);
        }
        QCOMPARE(arrowLines.size(), view.ladder().arrowCount());
        QVERIFY2(arrowLines.first().startsWith(u"    C->>S: ClientHello"_s), qPrintable(arrowLines.first()));
        QVERIFY(mermaid.contains(u"S-->>C: EncryptedExtensions"_s));

        // The session details export all three by suffix.
        SessionDetails details(&m_lab->timeline());
        details.showSession(id);
        QTemporaryDir out;
        QVERIFY(details.exportLadder(out.filePath(u"l.svg"_s)));
        QVERIFY(details.exportLadder(out.filePath(u"l.png"_s)));
        QVERIFY(details.exportLadder(out.filePath(u"l.mmd"_s)));
        QVERIFY(!QImage(out.filePath(u"l.png"_s)).isNull());
        QFile text(out.filePath(u"l.mmd"_s));
        QVERIFY(text.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(text.readAll()), details.ladder()->toMermaid());
        QVERIFY(!details.exportLadder(out.filePath(u"missing-folder/l.svg"_s)));
    }

    void failedHandshakeMarksThePointOfFailure()
    {
        startListener();
        Client *client = startClient(false);
        QSignalSpy finished(client, &Client::finished);
        QVERIFY(finished.wait(10000));
        const quint64 id = client->sessionId();
        Ladder ladder;
        // Both ends have ended (the listener's end once it read the alert), and the verdict is in.
        auto ended = [this](quint64 session) { return session && !m_lab->timeline().session(session).isOpen(); };
        QTRY_VERIFY_WITH_TIMEOUT(
            (ladder = Ladder::build(m_lab->timeline(), id),
                ended(ladder.clientSession) && ended(ladder.serverSession) && !ladder.verdict.isEmpty()),
            10000);
        QVERIFY(ladder.failureStep >= 0);
        const LadderStep &failure = ladder.steps.at(ladder.failureStep);
        // The client refused the certificate: its fatal alert is where the handshake broke, and the server got it.
        QVERIFY2(failure.isFatalAlert(), qPrintable(failure.type));
        QCOMPARE(failure.from, Side::Client);
        QVERIFY(failure.receivedEvent >= 0);
        // Nothing the client would have sent after the alert is on the ladder.
        QVERIFY(!arrows(ladder).contains(u"C Finished"_s));
        QVERIFY(arrows(ladder).contains(u"S Certificate"_s));
        const QString mermaid = ladder.toMermaid();
        QVERIFY2(
            mermaid.contains(u"    C-x"_s) || mermaid.contains(u"    C->>S: "_s + failure.type), qPrintable(mermaid));
        QVERIFY(mermaid.contains(u"Note over C,S: Failure: "_s + ladder.verdict));
        HandshakeLadder view(&m_lab->timeline());
        view.showSession(id);
        QVERIFY(!view.toImage().isNull());
    }
};

QTEST_MAIN(TestHandshakeLadder)
#include "tst_handshakeladder.moc"
