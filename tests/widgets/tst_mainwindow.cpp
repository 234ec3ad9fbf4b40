// The user journeys on the real window, over loopback: start the listener with one click, connect a TLS client
// that trusts it, read the peer's certificate, fire a plaintext client at the listener, a port in use, and an
// untrusted certificate with and without "Continue anyway".
#include "model/capture/capturewriter.h"
#include "model/certs/certificatedetails.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/devcertificate.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "testutil.h"
#include "widgets/certificatedialog.h"
#include "widgets/certificateviewer.h"
#include "widgets/clientpanel.h"
#include "widgets/eventfiltermodel.h"
#include "widgets/eventtablemodel.h"
#include "widgets/listenerpanel.h"
#include "widgets/mainwindow.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/timelineview.h"
#include "windowtest.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestMainWindow : public WindowTest
{
    Q_OBJECT

private:
    // The window's children used here are checked by checkChildren() in init(); the dialog's where it appears.
    template<typename T>
    T *child(QObject *parent, const QString &name)
    {
        return parent->findChild<T *>(name);
    }

    QStringList missingWindowChildren() const
    {
        using TlsLab::Test::missingChildren;
        return missingChildren(m_window->listenerPanel(),
                   {
                       {&QSpinBox::staticMetaObject, u"portSpin"_s},
                       {&QPushButton::staticMetaObject, u"startButton"_s},
                       {&QPushButton::staticMetaObject, u"plaintextButton"_s},
                       {&QComboBox::staticMetaObject, u"certificateCombo"_s},
                       {&QComboBox::staticMetaObject, u"payloadCombo"_s},
                       {&QLineEdit::staticMetaObject, u"certificateFileEdit"_s},
                       {&QLineEdit::staticMetaObject, u"passphraseEdit"_s},
                   })
            + missingChildren(m_window->clientPanel(),
                {
                    {&QPushButton::staticMetaObject, u"useListenerButton"_s},
                    {&QPushButton::staticMetaObject, u"connectButton"_s},
                    {&QPushButton::staticMetaObject, u"continueButton"_s},
                    {&QPushButton::staticMetaObject, u"abandonButton"_s},
                    {&QPlainTextEdit::staticMetaObject, u"receivedView"_s},
                })
            + missingChildren(m_window->sessionDetails(), {{&QPushButton::staticMetaObject, u"viewChainButton"_s}})
            + missingChildren(m_window->timelineView(), {{&QComboBox::staticMetaObject, u"severityFilter"_s}});
    }

    void startListener()
    {
        child<QSpinBox>(m_window->listenerPanel(), u"portSpin"_s)->setValue(0); // any free port
        QTest::mouseClick(child<QPushButton>(m_window->listenerPanel(), u"startButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_lab->listener().isListening(), 10000);
    }

    Client *connectClient(ClientPanel::Trust trust)
    {
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(child<QPushButton>(panel, u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(trust);
        QTest::mouseClick(child<QPushButton>(panel, u"connectButton"_s), Qt::LeftButton);
        return panel->client();
    }

    bool timelineHas(EventKind kind, Side side)
    {
        const Timeline *t = &m_lab->timeline();
        for (qsizetype i = 0; i < t->eventCount(); ++i) {
            const EventHeader h = t->header(i);
            if (h.kind == kind && h.side == side)
                return true;
        }
        return false;
    }

    int viewRowsOfKind(EventKind kind)
    {
        const EventFilterModel *m = m_window->timelineView()->filterModel();
        int n = 0;
        for (int r = 0; r < m->rowCount(); ++r)
            n += m->index(r, EventTableModel::KindColumn).data().toString() == kindName(kind);
        return n;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(prepareDataFolder()); }

    void init()
    {
        QVERIFY(openWindow());
        const QStringList missing = missingWindowChildren();
        QVERIFY2(missing.isEmpty(), qPrintable(u"missing: "_s + missing.join(u", "_s)));
    }

    void cleanup()
    {
        closeWindow();
        QSettings().remove(u"timeline/eventBudget"_s); // a test's budget is not the next window's
    }

    // The listener's certificate list offers "Generate…": the dialog makes a certificate (EC P-256, typed in like a
    // user would), the listener takes its files, and a client trusting exactly that certificate connects.
    void generatedCertificateBecomesTheListeners()
    {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        auto *combo = child<QComboBox>(m_window->listenerPanel(), u"certificateCombo"_s);
        combo->setCurrentIndex(2); // Generate…
        CertificateDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<CertificateDialog *>(u"certificateDialog"_s)), 5000);
        const QStringList missing = TlsLab::Test::missingChildren(dialog,
            {{&QLineEdit::staticMetaObject, u"commonNameEdit"_s},
                {&QPushButton::staticMetaObject, u"generateButton"_s}});
        QVERIFY2(missing.isEmpty(), qPrintable(u"missing: "_s + missing.join(u", "_s)));
        dialog->setKeyType(KeyType::EcP256);
        dialog->setOutputDirectory(out.path());
        auto *cn = child<QLineEdit>(dialog, u"commonNameEdit"_s);
        cn->clear();
        QTest::keyClicks(cn, u"localhost"_s);
        dialog->setFilePrefix(u"generated"_s);
        auto *generate = child<QPushButton>(dialog, u"generateButton"_s);
        QTRY_VERIFY2_WITH_TIMEOUT(generate->isEnabled(), qPrintable(dialog->problems().join(u"; "_s)), 5000);
        QTest::mouseClick(generate, Qt::LeftButton);
        const QString certificate = out.filePath(u"generated.pem"_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            QDir::fromNativeSeparators(child<QLineEdit>(m_window->listenerPanel(), u"certificateFileEdit"_s)->text()),
            certificate, 10000);
        QCOMPARE(combo->currentIndex(), 1); // from files

        startListener();
        QVERIFY(!m_lab->listener().identity().isDevelopmentCertificate);
        QCOMPARE(m_lab->listener().identity().leaf(), QSslCertificate::fromPath(certificate).value(0));
        Client *client = m_lab->createClient();
        ClientConfig config;
        config.port = m_lab->listener().port();
        config.serverName = u"localhost"_s;
        config.useSystemCaCertificates = false;
        config.caCertificates = QSslCertificate::fromPath(certificate);
        QSignalSpy encrypted(client, &Client::encrypted);
        client->start(config);
        QVERIFY(encrypted.wait(10000));
        QVERIFY(client->session().verifyErrors.isEmpty());
    }

    void generateCancelledGoesBackToThePreviousCertificate()
    {
        auto *combo = child<QComboBox>(m_window->listenerPanel(), u"certificateCombo"_s);
        QCOMPARE(combo->currentIndex(), 0);
        combo->setCurrentIndex(2);
        CertificateDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<CertificateDialog *>(u"certificateDialog"_s)), 5000);
        dialog->reject();
        QTRY_COMPARE(combo->currentIndex(), 0);
    }

    void startListenerWithOneClick()
    {
        startListener();
        const QString state = m_window->listenerPanel()->stateText();
        QVERIFY2(state.startsWith(u"Listening on 127.0.0.1:%1"_s.arg(m_lab->listener().port())), qPrintable(state));
        QVERIFY(state.contains(u"development certificate"_s));
        QVERIFY(m_window->listenerPanel()->errorText().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(viewRowsOfKind(EventKind::ListenerStarted) == 1, 5000);
        // A second click stops it.
        QTest::mouseClick(child<QPushButton>(m_window->listenerPanel(), u"startButton"_s), Qt::LeftButton);
        QVERIFY(!m_lab->listener().isListening());
    }

    void tlsClientSeesSessionEncrypted()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::Listener);
        QVERIFY(client);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        QVERIFY(!client->session().untrusted);
        // Both ends appear in the sessions list as encrypted, linked to each other.
        SessionTableModel *sessions = m_window->sessionModel();
        QTRY_VERIFY_WITH_TIMEOUT(sessions->rowForSession(client->sessionId()) >= 0, 5000);
        const int row = sessions->rowForSession(client->sessionId());
        QTRY_COMPARE_WITH_TIMEOUT(
            sessions->index(row, SessionTableModel::StateColumn).data().toString(), u"encrypted"_s, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            client->session().linkedSession != 0 || m_lab->timeline().session(client->sessionId()).linkedSession != 0,
            5000);
        const quint64 server = m_lab->timeline().session(client->sessionId()).linkedSession;
        QTRY_VERIFY_WITH_TIMEOUT(sessions->rowForSession(server) >= 0, 5000);
        QCOMPARE(sessions->index(sessions->rowForSession(server), SessionTableModel::SideColumn).data().toString(),
            u"server"_s);
        QTRY_COMPARE_WITH_TIMEOUT(m_lab->listener().counters().encrypted, quint64(1), 5000);
        // The greeting reaches the received view.
        QTRY_VERIFY_WITH_TIMEOUT(child<QPlainTextEdit>(m_window->clientPanel(), u"receivedView"_s)
                                     ->toPlainText()
                                     .contains(u"Hello from TLS Lab"_s),
            5000);
        QVERIFY(m_window->clientPanel()->statusText().startsWith(u"Encrypted: TLSv1.3"_s));
    }

    void peerCertificateDetailsMatchOpenssl()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::Listener);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);

        QProcess openssl;
        openssl.start(u"openssl"_s,
            {u"x509"_s, u"-noout"_s, u"-subject"_s, u"-ext"_s, u"subjectAltName"_s, u"-fingerprint"_s, u"-sha256"_s,
                u"-in"_s, DevCertificate::certificatePath()});
        QVERIFY(openssl.waitForFinished(10000));
        QCOMPARE(openssl.exitCode(), 0);
        const QString out = QString::fromUtf8(openssl.readAllStandardOutput());
        const QString subject = QRegularExpression(u"subject=(.*)\n"_s).match(out).captured(1).trimmed();
        const QString cn = QRegularExpression(u"CN\\s*=\\s*([^,\\n]+)"_s).match(subject).captured(1).trimmed();
        const QString fingerprint = QRegularExpression(u"Fingerprint=([0-9A-F:]+)"_s).match(out).captured(1);
        QVERIFY2(!cn.isEmpty() && !fingerprint.isEmpty(), qPrintable(out));
        QStringList sans;
        const QString sanLine = out.section(u"X509v3 Subject Alternative Name:"_s, 1).section(u'\n', 1, 1).trimmed();
        for (const QString &entry : sanLine.split(u", "_s, Qt::SkipEmptyParts))
            sans.append(entry.section(u':', 1)); // "DNS:localhost" -> "localhost", "IP Address:0:0:..:1" -> "0:..:1"
        QVERIFY2(sans.size() >= 3, qPrintable(out));

        // The user selects the session and reads its details.
        m_window->selectSession(client->sessionId());
        QTRY_COMPARE_WITH_TIMEOUT(m_window->sessionDetails()->sessionId(), client->sessionId(), 5000);
        const QString details = m_window->sessionDetails()->text();
        // The pane shows the model's certificate details, which are written as openssl writes them.
        QVERIFY2(details.contains(subject), qPrintable(u"subject %1 missing in:\n%2"_s.arg(subject, details)));
        QVERIFY2(details.contains(fingerprint), qPrintable(details));
        for (const QString &san : std::as_const(sans))
            QVERIFY2(details.contains(san), qPrintable(u"SAN %1 missing in:\n%2"_s.arg(san, details)));
        QVERIFY(details.contains(u"TLSv1.3"_s));

        // "Open certificate details" shows the chain in its own window.
        QTest::mouseClick(child<QPushButton>(m_window->sessionDetails(), u"viewChainButton"_s), Qt::LeftButton);
        CertificateViewer *viewer = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (viewer = m_window->findChild<CertificateViewer *>(u"certificateViewerWindow"_s)), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(viewer->isVisible(), 5000);
        QCOMPARE(viewer->certificates().size(), 1);
        const CertificateDetails shown = viewer->analysis().chain.value(0).details;
        QCOMPARE(shown.sha256Fingerprint, fingerprint);
        QCOMPARE(shown.commonName(), cn);
        QStringList shownSans;
        for (const auto &alt : shown.subjectAltNames)
            shownSans.append(alt.value);
        for (const QString &san : std::as_const(sans)) {
            const QHostAddress ip(san);
            QVERIFY2(shownSans.contains(ip.isNull() ? san : ip.toString()) || shownSans.contains(san),
                qPrintable(shownSans.join(u", "_s)));
        }
    }

    void plaintextConnectIsRefusedAndListenerKeepsServing()
    {
        startListener();
        QComboBox *payload = child<QComboBox>(m_window->listenerPanel(), u"payloadCombo"_s);
        payload->setCurrentIndex(1); // HTTP GET
        QTest::mouseClick(child<QPushButton>(m_window->listenerPanel(), u"plaintextButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(viewRowsOfKind(EventKind::PlaintextRefused) == 1, 10000);
        QVERIFY(timelineHas(EventKind::DataSent, Side::Client)); // the client's bytes
        QTRY_VERIFY_WITH_TIMEOUT(
            timelineHas(EventKind::Closed, Side::Client) || timelineHas(EventKind::Reset, Side::Client), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_lab->listener().counters().refused, quint64(1), 5000);
        // The refusal row names the reason.
        const EventFilterModel *m = m_window->timelineView()->filterModel();
        QString summary;
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->index(r, EventTableModel::KindColumn).data().toString() == kindName(EventKind::PlaintextRefused))
                summary = m->index(r, EventTableModel::SummaryColumn).data().toString();
        QVERIFY2(summary.contains(u"HTTP"_s, Qt::CaseInsensitive), qPrintable(summary));

        // The listener goes on serving a TLS client.
        Client *client = connectClient(ClientPanel::Trust::Listener);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        QVERIFY(m_lab->listener().isListening());
    }

    void portInUseIsShownInline()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        child<QSpinBox>(m_window->listenerPanel(), u"portSpin"_s)->setValue(squatter.serverPort());
        QPushButton *start = child<QPushButton>(m_window->listenerPanel(), u"startButton"_s);
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(!m_lab->listener().isListening());
        const QString error = m_window->listenerPanel()->errorText();
        QVERIFY2(
            error.contains(u"in use"_s) && error.contains(QString::number(squatter.serverPort())), qPrintable(error));
        QVERIFY(start->text().contains(u"Start"_s));
        QCOMPARE(m_window->listenerPanel()->stateText(), u"Stopped"_s);
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }

    void untrustedCertificateAbandoned()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::System);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->clientPanel()->verificationText().isEmpty(), 10000);
        const QString text = m_window->clientPanel()->verificationText();
        QVERIFY2(text.contains(u"CN=localhost"_s), qPrintable(text));
        QTest::mouseClick(child<QPushButton>(m_window->clientPanel(), u"abandonButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(client->isFinished(), 10000);
        QVERIFY(!client->succeeded());
        QCOMPARE(client->session().state, SessionState::Failed);
        QVERIFY(timelineHas(EventKind::VerifyError, Side::Client));
        QVERIFY(m_window->clientPanel()->verificationText().isEmpty());
    }

    void untrustedCertificateContinuedAnyway()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::System);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->clientPanel()->verificationText().isEmpty(), 10000);
        QTest::mouseClick(child<QPushButton>(m_window->clientPanel(), u"continueButton"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        QVERIFY(client->session().untrusted);
        QVERIFY(timelineHas(EventKind::ErrorsIgnored, Side::Client));
        SessionTableModel *sessions = m_window->sessionModel();
        QTRY_VERIFY_WITH_TIMEOUT(sessions->rowForSession(client->sessionId()) >= 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            sessions->index(sessions->rowForSession(client->sessionId()), SessionTableModel::StateColumn)
                .data()
                .toString(),
            u"encrypted (untrusted)"_s, 5000);
        QVERIFY(m_window->clientPanel()->statusText().contains(u"untrusted"_s));
    }

    void followTailPausesWhenScrolledUp()
    {
        Timeline *t = &m_lab->timeline();
        for (int i = 0; i < 2000; ++i)
            t->record(0, Side::Server, EventKind::DataReceived, Severity::Info, u"line %1"_s.arg(i));
        TimelineView *view = m_window->timelineView();
        QScrollBar *bar = view->table()->verticalScrollBar();
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 2000, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > 0 && bar->value() == bar->maximum(), 5000);
        QVERIFY(view->isFollowingTail());
        bar->triggerAction(QAbstractSlider::SliderPageStepSub); // the user scrolls up
        QVERIFY(!view->isFollowingTail());
        const int value = bar->value();
        for (int i = 0; i < 500; ++i)
            t->record(0, Side::Server, EventKind::DataReceived, Severity::Info, u"more %1"_s.arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 2500, 5000);
        QCOMPARE(bar->value(), value); // stays where the user is reading
        bar->triggerAction(QAbstractSlider::SliderToMaximum);
        QVERIFY(view->isFollowingTail());
        t->record(0, Side::Server, EventKind::DataReceived, Severity::Info, u"last"_s);
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 2501, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(bar->value(), bar->maximum(), 5000);
    }

    void searchFiltersTheTable()
    {
        Timeline *t = &m_lab->timeline();
        for (int i = 0; i < 300; ++i)
            t->record(quint64(i % 3), Side::Server, EventKind::DataReceived, Severity::Info,
                i % 100 == 0 ? u"needle %1"_s.arg(i) : u"hay %1"_s.arg(i));
        TimelineView *view = m_window->timelineView();
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 300, 5000);
        QTest::keyClicks(view->searchEdit(), u"NEEDLE"_s);
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 3, 5000);
        view->searchEdit()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(view->filterModel()->rowCount(), 300, 5000);
        child<QComboBox>(view, u"severityFilter"_s)->setCurrentIndex(int(Severity::Warning));
        QCOMPARE(view->filterModel()->rowCount(), 0);
    }

    void exportsTimelineAsJsonLinesAndCsv()
    {
        Timeline *t = &m_lab->timeline();
        for (int i = 0; i < 5000; ++i)
            t->record(1, Side::Client, EventKind::DataSent, Severity::Info, u"sent \"%1\", ok"_s.arg(i));
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(u"timeline.jsonl"_s);
        m_window->exportTimeline(jsonl);
        // Whether it is still running by now depends on the machine (5,000 events can be written already): only its
        // end, and what it wrote, are checked.
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->isExporting(), 20000);
        QFile json(jsonl);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = json.readAll().split('\n');
        QCOMPARE(lines.size(), 5001); // the last newline
        QVERIFY(lines.first().contains("\"sent \\\"0\\\", ok\""));
        const QString csv = dir.filePath(u"timeline.csv"_s);
        m_window->exportTimeline(csv);
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->isExporting(), 20000);
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csvFile.readAll().split('\n');
        QCOMPARE(rows.size(), 5002);
        QVERIFY(rows.at(1).endsWith(",\"sent \"\"0\"\", ok\""));
    }

    void exportsSessionChainAsPem()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::Listener);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"chain.pem"_s);
        QVERIFY(m_window->exportSessionChain(client->sessionId(), path));
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(path);
        QCOMPARE(chain.size(), 1);
        QCOMPARE(chain.first(), m_lab->listener().identity().leaf());
    }

    void clearEmptiesTheViews()
    {
        startListener();
        Client *client = connectClient(ClientPanel::Trust::Listener);
        QTRY_COMPARE_WITH_TIMEOUT(client->session().state, SessionState::Encrypted, 10000);
        m_window->selectSession(client->sessionId());
        QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineView()->filterModel()->rowCount() > 5, 5000);
        auto *undo = m_window->findChild<QAction *>(u"undoClearAction"_s);
        QVERIFY(undo && !undo->isEnabled());
        const Timeline &timeline = m_lab->timeline();
        const qsizetype eventsBefore = timeline.eventCount();
        const QString firstBefore = timeline.summary(0);
        const int sessionsBefore = m_window->sessionModel()->rowCount();
        QVERIFY(sessionsBefore >= 2);
        QTest::keyClick(m_window.get(), Qt::Key_L, Qt::ControlModifier); // View > Clear Timeline
        QCOMPARE(m_window->timelineView()->filterModel()->rowCount(), 0);
        QCOMPARE(m_window->sessionModel()->rowCount(), 0);
        QVERIFY(m_window->sessionDetails()->text().contains(u"Select a session"_s));
        QVERIFY(undo->isEnabled());
        QVERIFY2(m_window->statusBar()->currentMessage().contains(u"Ctrl+Z"_s),
            qPrintable(m_window->statusBar()->currentMessage()));
        // New events arrive as before.
        client->send("after clear\n");
        QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineView()->filterModel()->rowCount() > 0, 5000);
        const qsizetype since = timeline.eventCount();
        QVERIFY(since > 0 && timeline.summary(0) != firstBefore);

        // Ctrl+Z: the cleared events come back first, then those recorded since; the sessions table is whole again.
        QTest::keyClick(m_window.get(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!undo->isEnabled());
        QVERIFY(timeline.eventCount() >= eventsBefore + since);
        QCOMPARE(timeline.summary(0), firstBefore);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->sessionModel()->rowCount(), sessionsBefore, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->timelineView()->filterModel()->sourceModel()->rowCount() >= int(eventsBefore + since), 5000);
    }

    // The events kept in memory are a setting; beyond it the status bar says, once and for good, how many older
    // events were moved out and where they are (the running capture), or that capturing is off.
    void eventBudgetSaysWhereOlderEventsAre()
    {
        QCOMPARE(m_lab->timeline().eventBudget(), MainWindow::DefaultEventBudget); // the default, applied
        m_window->setEventBudget(50);
        QCOMPARE(m_lab->timeline().eventBudget(), 50);
        QCOMPARE(QSettings().value(u"timeline/eventBudget"_s).toLongLong(), 50);
        auto *notice = m_window->findChild<QLabel *>(u"droppedEventsLabel"_s);
        QVERIFY(notice);
        QVERIFY(notice->isHidden());
        Timeline &timeline = m_lab->timeline();
        for (int i = 0; i < 120; ++i)
            timeline.record(0, Side::Server, EventKind::DataReceived, Severity::Info, u"before capture %1"_s.arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), 5000);
        QVERIFY2(notice->text().contains(u"capturing is off"_s), qPrintable(notice->text()));

        CaptureOptions options;
        options.path = QDir(m_dataDir.path()).filePath(u"budget.tlscap"_s);
        const Status started = m_lab->startCapture(options);
        QVERIFY2(started.ok(), qPrintable(started.error()));
        for (int i = 0; i < 120; ++i)
            timeline.record(0, Side::Server, EventKind::DataReceived, Severity::Info, u"captured %1"_s.arg(i));
        const QString expected
            = MainWindow::tr("%L1 older events are only in the capture file %2 (File > Open Capture)")
                  .arg(timeline.droppedEventCount())
                  .arg(QDir::toNativeSeparators(options.path));
        QTRY_COMPARE_WITH_TIMEOUT(notice->text(), expected, 5000);
        QVERIFY(notice->text().contains(QLocale().toString(qlonglong(timeline.droppedEventCount()))));
        // The table shows the kept events only.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->timelineView()->filterModel()->rowCount(),
            int(timeline.eventCount() - timeline.firstIndex()), 5000);
        QVERIFY(m_window->timelineView()->filterModel()->rowCount() <= 50);
        // A new window applies the remembered budget; clearing the timeline ends the notice.
        m_window.reset();
        m_window = std::make_unique<MainWindow>(*m_lab);
        QCOMPARE(m_lab->timeline().eventBudget(), 50);
        m_lab->timeline().clear();
        QVERIFY(m_window->findChild<QLabel *>(u"droppedEventsLabel"_s)->isHidden());
        m_lab->stopCapture();
    }

    void settingsAreRememberedWithoutPassphrases()
    {
        child<QSpinBox>(m_window->listenerPanel(), u"portSpin"_s)->setValue(5555);
        child<QLineEdit>(m_window->listenerPanel(), u"passphraseEdit"_s)->setText(u"s3cret-passphrase"_s);
        m_window->close(); // saves
        m_window = std::make_unique<MainWindow>(*m_lab);
        QVERIFY(missingWindowChildren().isEmpty());
        QCOMPARE(child<QSpinBox>(m_window->listenerPanel(), u"portSpin"_s)->value(), 5555);
        QVERIFY(child<QLineEdit>(m_window->listenerPanel(), u"passphraseEdit"_s)->text().isEmpty());
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
        QVERIFY(!file.readAll().contains("s3cret"));
        settings.clear(); // the next tests start from the defaults
    }

    void openingACertificateFileShowsIt()
    {
        const auto viewers = [this] { return m_window->findChildren<CertificateViewer *>(); };
        QVERIFY(!m_window->openCertificateFile(u"/nonexistent/file.pem"_s));
        QVERIFY(viewers().isEmpty());
        startListener(); // makes the development certificate
        QVERIFY(m_window->openCertificateFile(DevCertificate::certificatePath()));
        QCOMPARE(viewers().size(), 1);
        QVERIFY(viewers().first()->isVisible());
        QCOMPARE(viewers().first()->certificates(), QList<QSslCertificate> {m_lab->listener().identity().leaf()});

        // Dropping the file on the window does the same.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(DevCertificate::certificatePath())});
        QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(viewers().size(), 2);
        QCOMPARE(viewers().last()->certificates().size(), 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
