#pragma once

#include "model/core/event.h"

#include <QWidget>

class QPlainTextEdit;
class QTreeWidget;
class QTreeWidgetItem;
class QCborValue;

namespace TlsLab::Widgets {

// The structured fields of one event (time, session, side, kind, severity, summary and its details map) as a small
// tree of name/value pairs. An event's details never grow, so a QTreeWidget fits. Long values are elided in the
// middle (a fingerprint keeps both ends); the selected field's full value is shown below the tree, selectable, and
// Ctrl+C (or the context menu) copies it.
class EventDetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventDetailsPane)

public:
    explicit EventDetailsPane(QWidget *parent = nullptr);
    ~EventDetailsPane() override;

    void setEvent(const Model::Event &event);
    void clear();
    QString text() const; // "name: value" lines, for tests
    QString selectedValue() const; // the full value of the current field, as shown below the tree
    void copySelectedValue() const; // to the clipboard

private:
    void addValue(QTreeWidgetItem *parent, const QString &name, const QCborValue &value);
    void showCurrentValue();

    QTreeWidget *m_tree;
    QPlainTextEdit *m_value;
};

} // namespace TlsLab::Widgets
