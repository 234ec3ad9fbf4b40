// The window as a keyboard user and a small screen see it: every top-level window and dialog fits 1024x768 at its
// default size, no Alt-letter is taken twice in one window, Tab leaves every table, every interactive control has an
// accessible name, the area shortcuts move the focus, F1 opens help (not About), Ctrl+Q quits, the certificate viewer
// closes with Esc, Ctrl+W and its Close button, and Connect selects the new session.
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "widgets/certificatedialog.h"
#include "widgets/certificateviewer.h"
#include "widgets/clientpanel.h"
#include "widgets/handshakeladder.h"
#include "widgets/listenerpanel.h"
#include "widgets/mainwindow.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/timelineview.h"
#include "windowtest.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabBar>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
constexpr QSize smallScreen(1024, 768);

// The Alt-letter of a text ("Co&nnect" -> 'N'); null when it has none.
QChar mnemonic(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        if (text.at(i + 1) == u'&') {
            ++i;
            continue;
        }
        return text.at(i + 1).toUpper();
    }
    return {};
}

// The Alt-letters a window's widgets answer to, with who holds them: buttons, group boxes, labels with a buddy, tab
// titles and the menu bar's menus. `skip` leaves out a subtree (a dock that is not shown).
QMultiHash<QChar, QString> mnemonics(QWidget *root, const QList<QWidget *> &skip = {})
{
    QMultiHash<QChar, QString> found;
    auto skipped = [&](const QWidget *w) {
        for (const QWidget *s : skip) {
            if (w == s || s->isAncestorOf(w))
                return true;
        }
        return false;
    };
    auto add = [&](const QString &text, const QString &who) {
        const QChar c = mnemonic(text);
        if (!c.isNull())
            found.insert(c, who + u" \""_s + text + u'"');
    };
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *w : std::as_const(widgets)) {
        if (skipped(w) || w->window() != root->window())
            continue;
        if (auto *b = qobject_cast<QAbstractButton *>(w))
            add(b->text(), w->objectName());
        else if (auto *g = qobject_cast<QGroupBox *>(w))
            add(g->title(), w->objectName());
        else if (auto *l = qobject_cast<QLabel *>(w); l && l->buddy())
            add(l->text(), w->objectName());
        else if (auto *t = qobject_cast<QTabBar *>(w)) {
            for (int i = 0; i < t->count(); ++i)
                add(t->tabText(i), u"tab"_s);
        } else if (auto *m = qobject_cast<QMenuBar *>(w)) {
            for (QAction *a : m->actions())
                add(a->text(), u"menu"_s);
        }
    }
    return found;
}

QStringList duplicates(const QMultiHash<QChar, QString> &found)
{
    QStringList out;
    for (const QChar c : found.uniqueKeys()) {
        if (found.count(c) > 1)
            out.append(u"Alt+"_s + c + u": "_s + QStringList(found.values(c)).join(u", "_s));
    }
    return out;
}

// Interactive controls QAccessible reports without a name, as "ClassName objectName".
QStringList unnamedControls(QWidget *root)
{
    static const QList<QAccessible::Role> interactive {QAccessible::PushButton, QAccessible::CheckBox,
        QAccessible::RadioButton, QAccessible::ComboBox, QAccessible::EditableText, QAccessible::SpinBox,
        QAccessible::Slider, QAccessible::Table, QAccessible::Tree, QAccessible::List, QAccessible::PageTabList,
        QAccessible::ButtonMenu, QAccessible::ButtonDropDown};
    QStringList out;
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    for (QWidget *w : std::as_const(widgets)) {
        // qt_toolbar_ext_button and friends: Qt's own pieces, named by Qt.
        if (w->window() != root->window() || !w->isVisibleTo(root) || w->objectName().startsWith(u"qt_"_s))
            continue;
        // The pieces Qt builds inside a composite control (a spin box's line edit, a combo box's view, scroll bars)
        // are named by the control.
        if (w->parentWidget()
            && (qobject_cast<QAbstractSpinBox *>(w->parentWidget()) || qobject_cast<QComboBox *>(w->parentWidget())))
            continue;
        QAccessibleInterface *a = QAccessible::queryAccessibleInterface(w);
        if (!a || !interactive.contains(a->role()))
            continue;
        const QString name = a->text(QAccessible::Name).trimmed();
        const bool hasWord = std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c.isLetter(); });
        if (!hasWord)
            out.append(QString::fromLatin1(w->metaObject()->className()) + u' ' + w->objectName());
    }
    return out;
}

QStringList oversizedTopLevels()
{
    QStringList out;
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (!w->isVisible())
            continue;
        const QSize size = w->frameGeometry().size();
        const QSize minimum = w->minimumSizeHint().expandedTo(w->minimumSize());
        if (size.width() > smallScreen.width() || size.height() > smallScreen.height()
            || minimum.width() > smallScreen.width() || minimum.height() > smallScreen.height())
            out.append(u"%1 (%2): %3x%4, minimum %5x%6"_s.arg(w->objectName(), w->windowTitle())
                           .arg(size.width())
                           .arg(size.height())
                           .arg(minimum.width())
                           .arg(minimum.height()));
    }
    return out;
}
} // namespace

class TestWindowFit : public WindowTest
{
    Q_OBJECT

private:
    QDockWidget *dock(const QString &name) const { return m_window->findChild<QDockWidget *>(name); }

    CertificateViewer *openViewer()
    {
        m_window->showCertificates(QSslCertificate::fromPath(QFINDTESTDATA("tst_windowfit.cpp")), u"none"_s);
        auto *viewer = m_window->findChild<CertificateViewer *>(u"certificateViewerWindow"_s);
        return viewer;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(prepareDataFolder()); }

    void init()
    {
        QVERIFY(openWindow());
        QVERIFY(dock(u"listenerDock"_s) && dock(u"clientDock"_s));
    }

    void cleanup() { closeWindow(); }

    void everyWindowAndDialogFits1024x768()
    {
        QVERIFY2(oversizedTopLevels().isEmpty(), qPrintable(oversizedTopLevels().join(u"; "_s)));
        // Each dock panel, raised, fits too (they scroll inside).
        dock(u"clientDock"_s)->raise();
        QVERIFY2(oversizedTopLevels().isEmpty(), qPrintable(oversizedTopLevels().join(u"; "_s)));
        m_window->openCertificateDialog(false);
        QDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<QDialog *>(u"certificateDialog"_s)), 5000);
        QTRY_VERIFY(dialog->isVisible());
        QVERIFY2(oversizedTopLevels().isEmpty(), qPrintable(oversizedTopLevels().join(u"; "_s)));
        // Its Generate button is inside the screen, not below it.
        auto *generate = dialog->findChild<QPushButton *>(u"generateButton"_s);
        QVERIFY(generate);
        QVERIFY(generate->mapTo(dialog, QPoint(0, generate->height())).y() <= smallScreen.height());
        dialog->reject();
        QVERIFY(openViewer());
        QVERIFY2(oversizedTopLevels().isEmpty(), qPrintable(oversizedTopLevels().join(u"; "_s)));
        QTest::keyClick(m_window.get(), Qt::Key_F1);
        QTRY_VERIFY(m_window->findChild<QDialog *>(u"helpDialog"_s));
        QVERIFY2(oversizedTopLevels().isEmpty(), qPrintable(oversizedTopLevels().join(u"; "_s)));
        // The search box keeps room for a word.
        QVERIFY(m_window->timelineView()->searchEdit()->width()
            >= m_window->timelineView()->searchEdit()->fontMetrics().horizontalAdvance(u"Search events"_s));
    }

    void noAltLetterTakenTwiceInAWindow()
    {
        // The docks are tabbed: the listener's panel and the client's are never shown together.
        QWidget *listener = dock(u"listenerDock"_s);
        QWidget *client = dock(u"clientDock"_s);
        QStringList clashes = duplicates(mnemonics(m_window.get(), {client}));
        QVERIFY2(clashes.isEmpty(), qPrintable(u"with the listener: "_s + clashes.join(u"; "_s)));
        clashes = duplicates(mnemonics(m_window.get(), {listener}));
        QVERIFY2(clashes.isEmpty(), qPrintable(u"with the client: "_s + clashes.join(u"; "_s)));
        // Inside each menu.
        for (QAction *menu : m_window->menuBar()->actions()) {
            QMultiHash<QChar, QString> items;
            for (QAction *a : menu->menu()->actions()) {
                if (const QChar c = mnemonic(a->text()); !c.isNull())
                    items.insert(c, a->text());
            }
            QVERIFY2(duplicates(items).isEmpty(), qPrintable(menu->text() + u": "_s + duplicates(items).join(u"; "_s)));
        }
        // The other windows.
        m_window->openCertificateDialog(false);
        QDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<QDialog *>(u"certificateDialog"_s)), 5000);
        QVERIFY2(duplicates(mnemonics(dialog)).isEmpty(), qPrintable(duplicates(mnemonics(dialog)).join(u"; "_s)));
        CertificateViewer *viewer = openViewer();
        QVERIFY(viewer);
        QVERIFY2(duplicates(mnemonics(viewer)).isEmpty(), qPrintable(duplicates(mnemonics(viewer)).join(u"; "_s)));
        // The test itself can fail: a clash made on purpose is found.
        auto *clash = new QPushButton(u"&File again"_s, m_window->sessionDetails());
        QVERIFY(!duplicates(mnemonics(m_window.get(), {client})).isEmpty());
        delete clash;
    }

    void tabLeavesEveryTable()
    {
        for (QAbstractItemView *view : m_window->findChildren<QAbstractItemView *>()) {
            if (!view->isVisibleTo(m_window.get()) || view->window() != m_window.get())
                continue;
            QVERIFY2(!view->tabKeyNavigation(), qPrintable(view->objectName()));
        }
        // And in practice: Tab from the sessions table moves the focus out of it.
        QTableView *sessions = m_window->sessionTable();
        sessions->setFocus();
        QTRY_VERIFY(sessions->hasFocus());
        QTest::keyClick(sessions, Qt::Key_Tab);
        QVERIFY(!sessions->hasFocus());
        QTableView *events = m_window->timelineView()->table();
        events->setFocus();
        QTRY_VERIFY(events->hasFocus());
        QTest::keyClick(events, Qt::Key_Tab);
        QVERIFY(!events->hasFocus());
    }

    void everyControlHasAnAccessibleName()
    {
        for (const QString &name : {u"listenerDock"_s, u"clientDock"_s}) {
            dock(name)->raise();
            QStringList unnamed = unnamedControls(m_window.get());
            QVERIFY2(unnamed.isEmpty(), qPrintable(name + u": "_s + unnamed.join(u", "_s)));
        }
        m_window->sessionDetails()->showLadder();
        QVERIFY2(unnamedControls(m_window.get()).isEmpty(), qPrintable(unnamedControls(m_window.get()).join(u", "_s)));
        m_window->openCertificateDialog(false);
        QDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<QDialog *>(u"certificateDialog"_s)), 5000);
        QVERIFY2(unnamedControls(dialog).isEmpty(), qPrintable(unnamedControls(dialog).join(u", "_s)));
        CertificateViewer *viewer = openViewer();
        QVERIFY2(unnamedControls(viewer).isEmpty(), qPrintable(unnamedControls(viewer).join(u", "_s)));
        // The walk can fail: a button without a word is found.
        auto *bare = new QPushButton(u"…"_s, m_window->sessionDetails());
        bare->setObjectName(u"bare"_s);
        bare->show();
        QVERIFY(unnamedControls(m_window.get()).contains(u"QPushButton bare"_s));
        delete bare;
    }

    void shortcutsReachEachArea()
    {
        QApplication::setActiveWindow(m_window.get());
        QTest::keyClick(m_window.get(), Qt::Key_1, Qt::ControlModifier);
        QTRY_VERIFY(m_window->sessionTable()->hasFocus());
        QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
        QTRY_VERIFY(m_window->timelineView()->table()->hasFocus());
        QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
        QTRY_VERIFY(m_window->sessionDetails()->isAncestorOf(QApplication::focusWidget()));
        QTest::keyClick(m_window.get(), Qt::Key_4, Qt::ControlModifier);
        QTRY_VERIFY(m_window->sessionDetails()->ladder()->hasFocus());
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(m_window->timelineView()->searchEdit()->hasFocus());
        // F1 is help, not About.
        QTest::keyClick(m_window.get(), Qt::Key_F1);
        QDialog *help = nullptr;
        QTRY_VERIFY((help = m_window->findChild<QDialog *>(u"helpDialog"_s)));
        QVERIFY(!m_window->findChild<QWidget *>(u"aboutBox"_s));
        QVERIFY(help->findChild<QTextBrowser *>()->toPlainText().contains(u"Ctrl+1"_s));
        help->reject();
        // Ctrl+Q closes the window.
        QApplication::setActiveWindow(m_window.get());
        QTest::keyClick(m_window.get(), Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY(!m_window->isVisible());
    }

    void certificateViewerClosesLikeADialog()
    {
        const auto checks = QList<std::function<void(CertificateViewer *)>> {
            [](CertificateViewer *v) { QTest::keyClick(v, Qt::Key_Escape); },
            [](CertificateViewer *v) { QTest::keyClick(v, Qt::Key_W, Qt::ControlModifier); },
            [](CertificateViewer *v) {
                auto *close = v->findChild<QPushButton *>(u"closeButton"_s);
                QVERIFY(close && close->isVisible());
                QTest::mouseClick(close, Qt::LeftButton);
            },
        };
        for (const auto &closeIt : checks) {
            QPointer<CertificateViewer> viewer = openViewer();
            QVERIFY(viewer);
            QVERIFY(QTest::qWaitForWindowExposed(viewer));
            QApplication::setActiveWindow(viewer);
            viewer->setFocus();
            closeIt(viewer);
            QTRY_VERIFY(!viewer); // closed and deleted
        }
    }

    void themeIsChosenInViewAndRemembered()
    {
        const QColor systemWindow = QApplication::palette().color(QPalette::Window);
        auto *dark = m_window->findChild<QAction *>(u"theme-dark"_s);
        auto *system = m_window->findChild<QAction *>(u"theme-system"_s);
        QVERIFY(dark && system && system->isChecked());
        dark->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        // A new window (a new run) starts dark and says so in the menu.
        m_window = std::make_unique<MainWindow>(*m_lab);
        QVERIFY(m_window->findChild<QAction *>(u"theme-dark"_s)->isChecked());
        m_window->findChild<QAction *>(u"theme-system"_s)->trigger();
        QCOMPARE(QApplication::palette().color(QPalette::Window), systemWindow);
        m_window = std::make_unique<MainWindow>(*m_lab);
        QVERIFY(m_window->findChild<QAction *>(u"theme-system"_s)->isChecked());
    }

    void connectSelectsTheNewSession()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        ClientPanel *panel = m_window->clientPanel();
        QTest::mouseClick(panel->findChild<QPushButton *>(u"useListenerButton"_s), Qt::LeftButton);
        panel->setTrust(ClientPanel::Trust::Listener);
        QTest::mouseClick(panel->findChild<QPushButton *>(u"connectButton"_s), Qt::LeftButton);
        QVERIFY(panel->client());
        const quint64 id = panel->client()->sessionId();
        QTRY_COMPARE_WITH_TIMEOUT(m_window->sessionDetails()->sessionId(), id, 5000);
        const QModelIndexList rows = m_window->sessionTable()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().data(SessionTableModel::SessionIdRole).toULongLong(), id);
    }
};

QTEST_MAIN(TestWindowFit)
#include "tst_windowfit.moc"
