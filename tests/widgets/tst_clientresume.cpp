// "Reconnect, resuming" in the client panel, against our listener and openssl s_server over loopback: disabled until
// a TLS connection has been offered a session, then a click makes a second connection to the same server that resumes
// it: the session says resumed and its handshake has no Certificate message, where the first one had.
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "peerprocess.h"
#include "testpki.h"
#include "widgets/clientpanel.h"
#include "widgets/mainwindow.h"
#include "windowtest.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
// The handshake messages one end received, by name, in order.
QStringList messagesReceived(const Timeline &timeline, quint64 session)
{
    QStringList out;
    EventFilter filter;
    filter.sessions = {session};
    filter.kindMask = quint64(1) << int(EventKind::TlsMessage);
    for (qsizetype i : timeline.matching(filter, 0, timeline.eventCount())) {
        const Event e = timeline.event(i);
        if (e.details.value(u"direction").toString() == u"received"_s)
            out.append(e.details.value(u"type").toString());
    }
    return out;
}
} // namespace

class TestClientResume : public WindowTest
{
    Q_OBJECT

private:
private Q_SLOTS:
    void initTestCase() { QVERIFY(prepareDataFolder()); }

    void init() { QVERIFY(openWindow()); }

    void cleanup() { closeWindow(); }

    void secondConnectionResumesWithoutACertificate()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        auto *resume = panel->findChild<QPushButton *>(u"resumeButton"_s);
        QVERIFY(resume);
        QVERIFY(!resume->isEnabled());
        QVERIFY(!panel->reconnectResuming());

        QTest::mouseClick(panel->findChild<QPushButton *>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(ClientPanel::Trust::Listener);
        QTest::mouseClick(panel->findChild<QPushButton *>(u"connectButton"_s), Qt::LeftButton);
        Client *first = panel->client();
        QVERIFY(first);
        const quint64 firstId = first->sessionId();
        // The listener's ticket arrives after the handshake; then the button wakes up.
        QTRY_VERIFY_WITH_TIMEOUT(resume->isEnabled(), 10000);
        QVERIFY(panel->canResume());
        const Session one = m_lab->timeline().session(firstId);
        QCOMPARE(one.state, SessionState::Encrypted);
        QVERIFY(!one.resumed);
        QVERIFY2(messagesReceived(m_lab->timeline(), firstId).contains(u"Certificate"_s),
            qPrintable(messagesReceived(m_lab->timeline(), firstId).join(u", "_s)));

        // Change the form: the resumed connection still goes to the server of the session it resumes.
        panel->findChild<QWidget *>(u"hostEdit"_s)->setProperty("text", u"elsewhere.invalid"_s);
        QTest::mouseClick(resume, Qt::LeftButton);
        Client *second = panel->client();
        QVERIFY(second && second != first);
        const quint64 secondId = second->sessionId();
        QVERIFY(secondId != firstId);
        QCOMPARE(second->config().host, first->config().host);
        QVERIFY(!second->config().sessionTicket.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_lab->timeline().session(secondId).state, SessionState::Encrypted, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(messagesReceived(m_lab->timeline(), secondId).contains(u"Finished"_s), 10000);
        const Session two = m_lab->timeline().session(secondId);
        QVERIFY(two.resumed);
        const QStringList received = messagesReceived(m_lab->timeline(), secondId);
        QVERIFY2(received.contains(u"ServerHello"_s), qPrintable(received.join(u", "_s)));
        QVERIFY2(!received.contains(u"Certificate"_s), qPrintable(received.join(u", "_s)));
        // The listener's end of it says so too.
        QTRY_VERIFY_WITH_TIMEOUT(
            two.linkedSession != 0 || m_lab->timeline().session(secondId).linkedSession != 0, 5000);
        // The listener reads the client's Finished after the client has read the server's: it may say so a little
        // later.
        QTRY_VERIFY_WITH_TIMEOUT(
            m_lab->timeline().session(m_lab->timeline().session(secondId).linkedSession).resumed, 5000);
    }

    void resumesWithAnOpensslServer_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("TLS 1.3 ticket") << QStringList {u"-tls1_3"_s};
        QTest::newRow("TLS 1.2 ticket") << QStringList {u"-tls1_2"_s};
        QTest::newRow("TLS 1.2 session id, no ticket") << QStringList {u"-tls1_2"_s, u"-no_ticket"_s};
    }

    void resumesWithAnOpensslServer()
    {
        // Another TLS stack decides here whether the session resumes: openssl s_server, for two connections.
        QFETCH(QStringList, options);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TlsLab::Test::TestPki pki(dir.path());
        const TlsLab::Test::CertFiles files
            = pki.makeSelfSigned(u"server"_s, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
        QVERIFY2(!files.certificate.isEmpty(), qPrintable(pki.lastError()));
        const quint16 port = TlsLab::Test::freePort();
        QVERIFY(port);
        TlsLab::Test::PeerProcess server;
        QVERIFY(server.start(u"openssl"_s,
            QStringList {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-cert"_s, files.certificate,
                u"-key"_s, files.key, u"-naccept"_s, u"2"_s}
                + options,
            {}, false));
        QVERIFY(server.waitForOutput("ACCEPT"));

        ClientPanel *panel = m_window->clientPanel();
        panel->findChild<QLineEdit *>(u"hostEdit"_s)->setText(u"127.0.0.1"_s);
        panel->findChild<QSpinBox *>(u"portSpin"_s)->setValue(port);
        panel->setMode(ClientMode::Tls);
        panel->setTrust(ClientPanel::Trust::File);
        panel->findChild<QLineEdit *>(u"caFileEdit"_s)->setText(files.certificate);
        QVERIFY(panel->connectToServer());
        const quint64 firstId = panel->client()->sessionId();
        auto *resume = panel->findChild<QPushButton *>(u"resumeButton"_s);
        QTRY_VERIFY_WITH_TIMEOUT(resume->isEnabled(), 10000);
        QVERIFY(!m_lab->timeline().session(firstId).resumed);
        QVERIFY(messagesReceived(m_lab->timeline(), firstId).contains(u"Certificate"_s));

        QTest::mouseClick(resume, Qt::LeftButton);
        const quint64 secondId = panel->client()->sessionId();
        QVERIFY(secondId != firstId);
        QTRY_COMPARE_WITH_TIMEOUT(m_lab->timeline().session(secondId).state, SessionState::Encrypted, 10000);
        // With -no_ticket the server resumes from its session cache, which it keeps only for a connection that ended
        // with close_notify: Client::close() must send it before the panel deletes the client.
        QVERIFY(m_lab->timeline().session(secondId).resumed);
        const QStringList received = messagesReceived(m_lab->timeline(), secondId);
        QVERIFY2(received.contains(u"ServerHello"_s), qPrintable(received.join(u", "_s)));
        QVERIFY2(!received.contains(u"Certificate"_s), qPrintable(received.join(u", "_s)));
        panel->closeConnection();
        QVERIFY(server.finish());
    }

    void plaintextConnectionOffersNothingToResume()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(panel->findChild<QPushButton *>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setMode(ClientMode::Plaintext);
        QVERIFY(panel->connectToServer());
        QTRY_VERIFY_WITH_TIMEOUT(panel->client()->isFinished(), 10000);
        QVERIFY(!panel->canResume());
        QVERIFY(!panel->findChild<QPushButton *>(u"resumeButton"_s)->isEnabled());
    }
};

QTEST_MAIN(TestClientResume)
#include "tst_clientresume.moc"
