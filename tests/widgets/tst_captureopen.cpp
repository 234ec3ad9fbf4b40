// Opening a capture in the window, as a user does: File > Open Capture (the slot its file dialog calls) and a capture
// file dropped on the window. The capture is written by the model's capture writer; a copy cut in its last record
// opens with everything before the cut and says where it stopped. The live timeline is never touched.
#include "model/capture/capturewriter.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "widgets/capturewindow.h"
#include "widgets/eventtablemodel.h"
#include "widgets/mainwindow.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/timelineview.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestCaptureOpen : public QObject
{
    Q_OBJECT

private:
    static constexpr int Sessions = 7;
    static constexpr int EventsPerSession = 9;
    static constexpr int Events = Sessions * EventsPerSession;

    QTemporaryDir m_dir;
    QString m_capture;
    QString m_cut;
    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<MainWindow> m_window;

    static QString summaryOf(int session, int n) { return u"event %1 of session %2"_s.arg(n).arg(session); }

    // The sessions first, then their events, so the last record of the file is the last event.
    bool writeCapture(const QString &path)
    {
        Timeline timeline;
        CaptureOptions options;
        options.path = path;
        auto writer = CaptureWriter::start(&timeline, options);
        if (!writer)
            return false;
        for (int s = 1; s <= Sessions; ++s) {
            Session session;
            session.id = quint64(1000 + s);
            session.side = s % 2 ? Side::Server : Side::Client;
            session.state = SessionState::Closed;
            session.peerAddress = u"127.0.0.1"_s;
            session.peerPort = quint16(40000 + s);
            session.protocol = u"TLSv1.3"_s;
            session.startUs = 1'700'000'000'000'000 + s;
            session.endUs = session.startUs + 10;
            timeline.updateSession(session);
        }
        for (int n = 0; n < EventsPerSession; ++n) {
            for (int s = 1; s <= Sessions; ++s) {
                timeline.append(
                    Event {1'700'000'000'000'000 + n * 100 + s, quint64(1000 + s), s % 2 ? Side::Server : Side::Client,
                        EventKind::DataReceived, Severity::Info, summaryOf(s, n), {{u"bytes", n}}});
            }
        }
        writer.value()->flush();
        return writer.value()->eventsWritten() == quint64(Events);
    }

    CaptureWindow *waitLoaded(CaptureWindow *window)
    {
        if (!window)
            return nullptr;
        QSignalSpy loaded(window, &CaptureWindow::loaded);
        if (window->isLoading() && !loaded.wait(20000))
            return nullptr;
        return window;
    }

    QStringList summaries(CaptureWindow *window)
    {
        EventTableModel *model = window->timelineView()->eventModel();
        model->flush();
        QStringList out;
        for (int row = 0; row < model->rowCount(); ++row)
            out.append(model->index(row, EventTableModel::SummaryColumn).data().toString());
        return out;
    }

    QStringList expectedSummaries(int count)
    {
        QStringList out;
        for (int n = 0; n < EventsPerSession; ++n) {
            for (int s = 1; s <= Sessions; ++s)
                out.append(summaryOf(s, n));
        }
        return out.mid(0, count);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toLocal8Bit());
        m_capture = m_dir.filePath(u"run.tlscap"_s);
        QVERIFY(writeCapture(m_capture));
        // A crash cuts the last record: the same file short of its last 5 bytes.
        QFile in(m_capture);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        m_cut = m_dir.filePath(u"cut.tlscap"_s);
        QFile out(m_cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(bytes.left(bytes.size() - 5)), bytes.size() - 5);
    }

    void init()
    {
        m_lab = std::make_unique<Lab>();
        m_window = std::make_unique<MainWindow>(*m_lab);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        m_lab.reset();
    }

    void menuHasOpenCaptureWithItsOwnShortcut()
    {
        QAction *open = m_window->openCaptureAction();
        QVERIFY(open);
        QCOMPARE(open->shortcut(), QKeySequence(u"Ctrl+Shift+O"_s));
        // No other action of the window answers the same keys.
        for (const QAction *action : m_window->findChildren<QAction *>()) {
            if (action != open && !action->shortcut().isEmpty())
                QVERIFY2(action->shortcut() != open->shortcut(), qPrintable(action->text()));
        }
        bool inFileMenu = false;
        for (const QAction *menu : m_window->menuBar()->actions()) {
            if (menu->menu() && menu->text() == MainWindow::tr("&File"))
                inFileMenu = menu->menu()->actions().contains(open);
        }
        QVERIFY(inFileMenu);
    }

    void openingACaptureShowsItsEventsAndSessions()
    {
        CaptureWindow *window = waitLoaded(m_window->openCapture(m_capture));
        QVERIFY(window);
        QVERIFY(window->isVisible());
        QVERIFY(window->result().ok);
        QVERIFY(!window->result().damaged);
        QCOMPARE(summaries(window), expectedSummaries(Events));
        window->sessionModel()->flush();
        QCOMPARE(window->sessionModel()->rowCount(), Sessions);
        QCOMPARE(window->sessionModel()->session(0).id, quint64(1001));
        QCOMPARE(window->sessionModel()->session(Sessions - 1).protocol, u"TLSv1.3"_s);
        // Said in the capture window and in the main window's status bar.
        const QString message = window->message();
        QVERIFY2(message.contains(u"63 events"_s) && message.contains(u"7 sessions"_s), qPrintable(message));
        QCOMPARE(window->findChild<QLabel *>(u"captureStatus"_s)->text(), message);
        QCOMPARE(m_window->statusBar()->currentMessage(), message);
        // The live timeline is not the capture's.
        QCOMPARE(m_lab->timeline().eventCount(), 0);
        QCOMPARE(m_lab->timeline().sessionCount(), 0);

        // Picking a session in the capture shows its details.
        window->sessionTable()->selectRow(2);
        QCOMPARE(window->sessionDetails()->sessionId(), quint64(1003));
    }

    void aCutCaptureOpensUpToTheCutAndSaysWhere()
    {
        CaptureWindow *window = waitLoaded(m_window->openCapture(m_cut));
        QVERIFY(window);
        QVERIFY(window->result().ok);
        QVERIFY(window->result().damaged);
        // Every event but the cut one, in order.
        QCOMPARE(summaries(window), expectedSummaries(Events - 1));
        const QString message = window->message();
        const qint64 size = QFileInfo(m_cut).size();
        QVERIFY2(message.contains(u"cut.tlscap"_s), qPrintable(message));
        QVERIFY2(message.contains(u"damaged at byte "_s), qPrintable(message));
        QVERIFY2(message.contains(u"truncated"_s), qPrintable(message));
        QVERIFY2(message.contains(u"read the %1 events before it"_s.arg(Events - 1)), qPrintable(message));
        // The byte named is inside the file, in its last record.
        const qint64 at = QStringView(message).mid(message.indexOf(u"byte "_s) + 5).split(u' ').first().toLongLong();
        QVERIFY2(at > 12 && at < size, qPrintable(message));
        QCOMPARE(window->findChild<QLabel *>(u"captureStatus"_s)->text(), message);
        QCOMPARE(m_window->statusBar()->currentMessage(), message);
    }

    void whatIsNotACaptureSaysSo()
    {
        const QString bogus = m_dir.filePath(u"bogus.tlscap"_s);
        QFile file(bogus);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("GET / HTTP/1.1\r\n\r\n");
        file.close();
        CaptureWindow *window = waitLoaded(m_window->openCapture(bogus));
        QVERIFY(window);
        QVERIFY(!window->result().ok);
        QVERIFY(!window->message().isEmpty());
        QVERIFY2(window->message().contains(u"bogus.tlscap"_s), qPrintable(window->message()));
        QCOMPARE(window->timelineView()->eventModel()->rowCount(), 0);
        QCOMPARE(m_window->statusBar()->currentMessage(), window->message());
    }

    void droppingACaptureOpensIt()
    {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(m_cut)});
        QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &drop);
        QVERIFY(drop.isAccepted());
        const QList<CaptureWindow *> windows = m_window->findChildren<CaptureWindow *>();
        QCOMPARE(windows.size(), 1);
        CaptureWindow *window = waitLoaded(windows.first());
        QVERIFY(window);
        QCOMPARE(window->path(), m_cut);
        QCOMPARE(summaries(window), expectedSummaries(Events - 1));
        QVERIFY2(window->message().contains(u"damaged at byte "_s), qPrintable(window->message()));
        QCOMPARE(m_window->statusBar()->currentMessage(), window->message());
        // A capture is told from a certificate by its content, not its name.
        const QString renamed = m_dir.filePath(u"run.bin"_s);
        QVERIFY(QFile::copy(m_capture, renamed));
        QVERIFY(MainWindow::isCaptureFile(renamed));
        const QString pem = m_dir.filePath(u"cert.pem"_s);
        QFile file(pem);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("-----BEGIN CERTIFICATE-----\n");
        file.close();
        QVERIFY(!MainWindow::isCaptureFile(pem));
    }

    void closingWhileReadingStopsTheReader()
    {
        // Closing the window at once must not leave the reader writing into a deleted timeline.
        CaptureWindow *window = m_window->openCapture(m_capture);
        QVERIFY(window);
        QSignalSpy destroyed(window, &QObject::destroyed);
        window->close(); // deletes on close
        QTRY_COMPARE_WITH_TIMEOUT(destroyed.size(), 1, 10000);
        QVERIFY(m_window->findChildren<CaptureWindow *>().isEmpty());
    }
};

QTEST_MAIN(TestCaptureOpen)
#include "tst_captureopen.moc"
