// The event details pane: long values keep both ends (elided in the middle), the selected field's whole value can be
// read and selected below the tree, and Ctrl+C copies it.
#include "widgets/eventdetailspane.h"

#include <QCborValue>
#include <QClipboard>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestEventDetailsPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void longValuesCanBeReadWhole();
};

void TestEventDetailsPane::longValuesCanBeReadWhole()
{
    const QString ja3 = u"771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107,"
                        "0-11-10-16-22-23-49-13-43-45-51-21,29-23-30-25-24-256-257-258-259-260,0-1-2"_s;
    const QByteArray der = QByteArray(300, '\x5a');
    Event event;
    event.session = 3;
    event.kind = EventKind::ClientHello;
    event.summary = u"ClientHello: "_s + QString(400, u'x') + u" end"_s;
    event.details = EventDetails {{u"ja3", ja3}, {u"der", QCborValue(der)}};

    EventDetailsPane pane;
    pane.resize(300, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.setEvent(event);

    auto *tree = pane.findChild<QTreeWidget *>(u"eventDetailsTree"_s);
    auto *value = pane.findChild<QPlainTextEdit *>(u"eventDetailsValue"_s);
    QVERIFY(tree && value);
    QCOMPARE(tree->textElideMode(), Qt::ElideMiddle);
    QVERIFY(value->isReadOnly());
    QVERIFY(value->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(value->toPlainText().isEmpty());

    const auto find = [tree](const QString &name) {
        const QList<QTreeWidgetItem *> found = tree->findItems(name, Qt::MatchExactly | Qt::MatchRecursive, 0);
        return found.isEmpty() ? nullptr : found.first();
    };
    QTreeWidgetItem *summary = find(u"summary"_s);
    QTreeWidgetItem *ja3Item = find(u"ja3"_s);
    QTreeWidgetItem *derItem = find(u"der"_s);
    QVERIFY(summary && ja3Item && derItem);

    tree->setCurrentItem(summary);
    QCOMPARE(value->toPlainText(), event.summary);
    tree->setCurrentItem(ja3Item);
    QCOMPARE(value->toPlainText(), ja3);
    QCOMPARE(pane.selectedValue(), ja3);
    tree->setCurrentItem(derItem);
    QCOMPARE(value->toPlainText(), QString::fromLatin1(der.toHex(' ')));

    // Ctrl+C on the tree copies the whole value, not the elided text.
    tree->setCurrentItem(ja3Item);
    tree->setFocus();
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(tree, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), ja3);

    // A new event starts with nothing selected.
    pane.setEvent(event);
    QVERIFY(value->toPlainText().isEmpty());
}

QTEST_MAIN(TestEventDetailsPane)
#include "tst_eventdetailspane.moc"
