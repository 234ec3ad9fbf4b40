// The client panel against our listener over loopback: a "continue anyway" decision can be taken calmly (it survives
// past the client's timeout, shows the certificate's facts and a fix, Abandon is the default, the certificate can be
// viewed), and "Trust: the listener's certificate" works when the listener serves a chain signed by a CA.
#include "model/certs/certificategenerator.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "widgets/certificateviewer.h"
#include "widgets/clientpanel.h"
#include "widgets/mainwindow.h"
#include "windowtest.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestClientPanel : public WindowTest
{
    Q_OBJECT

private:
    template<typename T>
    T *child(const QString &name) const
    {
        return m_window->clientPanel()->findChild<T *>(name);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(prepareDataFolder()); }

    void init()
    {
        QVERIFY(openWindow());
        for (const QString &name : {u"timeoutSpin"_s, u"connectButton"_s, u"useListenerButton"_s, u"continueButton"_s,
                 u"abandonButton"_s, u"viewCertificateButton"_s})
            QVERIFY2(child<QWidget>(name), qPrintable(name));
    }

    void cleanup() { closeWindow(); }

    void pendingDecisionSurvivesPastTheTimeout()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(child<QPushButton>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(ClientPanel::Trust::System); // the development certificate is not a system CA
        child<QSpinBox>(u"timeoutSpin"_s)->setValue(1);
        QTest::mouseClick(child<QPushButton>(u"connectButton"_s), Qt::LeftButton);
        Client *client = panel->client();
        QVERIFY(client);
        QCOMPARE(client->config().timeoutMs, 1000);
        QTRY_VERIFY_WITH_TIMEOUT(panel->pendingSeconds() >= 0, 10000);

        // The facts to decide on, a fix, and Abandon as what Enter does.
        const QString text = panel->verificationText();
        QVERIFY2(text.contains(u"Valid: "_s) && text.contains(u"Issuer: "_s), qPrintable(text));
        QVERIFY2(text.contains(u"Fix:"_s), qPrintable(text));
        QVERIFY(child<QPushButton>(u"abandonButton"_s)->isDefault());
        QVERIFY(!child<QPushButton>(u"continueButton"_s)->isDefault());

        // Twice the client's timeout passes; the decision is still pending, and the elapsed time is shown.
        QTRY_VERIFY_WITH_TIMEOUT(panel->pendingSeconds() >= 2, 4000);
        QVERIFY(!client->isFinished());
        static const QRegularExpression shown(u"for ([2-9]|\\d\\d+) s"_s);
        QTRY_VERIFY_WITH_TIMEOUT(shown.match(child<QLabel>(u"verifyElapsedLabel"_s)->text()).hasMatch(), 2000);

        // The certificate can be read while deciding.
        QTest::mouseClick(child<QPushButton>(u"viewCertificateButton"_s), Qt::LeftButton);
        auto *viewer = m_window->findChild<CertificateViewer *>(u"certificateViewerWindow"_s);
        QVERIFY(viewer);
        QCOMPARE(viewer->certificates().value(0), m_lab->listener().identity().leaf());
        viewer->close();

        // Continuing still works after the timeout would have fired.
        QSignalSpy encrypted(client, &Client::encrypted);
        QTest::mouseClick(child<QPushButton>(u"continueButton"_s), Qt::LeftButton);
        QVERIFY(encrypted.wait(10000));
        QVERIFY(client->session().untrusted);
        QCOMPARE(panel->pendingSeconds(), -1);
    }

    void restartedListenerIsFollowedAsAWholeOrLeftAloneWithAWord()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(child<QPushButton>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(ClientPanel::Trust::System);
        const quint16 first = m_lab->listener().port();
        QCOMPARE(child<QSpinBox>(u"portSpin"_s)->value(), int(first));

        // Restarted elsewhere: the client pointed at it, so it follows with host, port and trust together.
        m_lab->listener().stop();
        QTcpServer holder; // keeps the first port taken, so that the listener moves
        holder.listen(QHostAddress::LocalHost, first);
        QVERIFY(m_lab->listener().start(config).ok());
        const quint16 second = m_lab->listener().port();
        QVERIFY(second != first);
        QCOMPARE(child<QSpinBox>(u"portSpin"_s)->value(), int(second));
        QCOMPARE(child<QLineEdit>(u"hostEdit"_s)->text(), u"127.0.0.1"_s);
        QTest::mouseClick(child<QPushButton>(u"connectButton"_s), Qt::LeftButton);
        QVERIFY(panel->client());
        QCOMPARE(panel->client()->config().caCertificates, m_lab->listener().identity().chain.mid(0, 1));
        QTRY_COMPARE_WITH_TIMEOUT(panel->client()->session().state, SessionState::Encrypted, 10000);
        panel->closeConnection();
        QTRY_VERIFY_WITH_TIMEOUT(panel->client()->isFinished(), 5000);

        // Pointed elsewhere by the user: left alone, and the status says where the listener went.
        child<QSpinBox>(u"portSpin"_s)->setValue(9);
        m_lab->listener().stop();
        QVERIFY(m_lab->listener().start(config).ok());
        QCOMPARE(child<QSpinBox>(u"portSpin"_s)->value(), 9);
        QVERIFY2(panel->statusText().contains(u"still targets 127.0.0.1:9"_s), qPrintable(panel->statusText()));
    }

    void trustsTheRootOfTheListenersChain()
    {
        // A CA made here, and a server certificate it signed: the listener serves leaf + CA.
        CertificateRequest ca;
        ca.profile = CertificateProfile::CertificateAuthority;
        ca.subject.commonName = u"TLS Lab test CA"_s;
        const Result<Identity> caIdentity = CertificateGenerator::generate(ca);
        QVERIFY2(caIdentity.ok(), qPrintable(caIdentity.error()));
        CertificateRequest leaf;
        leaf.profile = CertificateProfile::Server;
        leaf.subject.commonName = u"localhost"_s;
        leaf.subjectAltNames = {u"DNS:localhost"_s, u"IP:127.0.0.1"_s};
        leaf.issuer = caIdentity.value();
        const Result<Identity> server = CertificateGenerator::generate(leaf);
        QVERIFY2(server.ok(), qPrintable(server.error()));
        QCOMPARE(server.value().chain.size(), 2);

        ListenerConfig config;
        config.port = 0;
        config.identity = server.value();
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(child<QPushButton>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(ClientPanel::Trust::Listener);
        QTest::mouseClick(child<QPushButton>(u"connectButton"_s), Qt::LeftButton);
        Client *client = panel->client();
        QVERIFY(client);
        // The CA, not the leaf, is the trust anchor, and the chain verifies without a question.
        QCOMPARE(client->config().caCertificates, QList<QSslCertificate> {caIdentity.value().leaf()});
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        QVERIFY(client->session().verifyErrors.isEmpty());
        QVERIFY(!client->session().untrusted);
        QCOMPARE(panel->pendingSeconds(), -1);
    }
};

QTEST_MAIN(TestClientPanel)
#include "tst_clientpanel.moc"
