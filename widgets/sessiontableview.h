#pragma once

#include <QTableView>

namespace TlsLab::Widgets {

class SessionTableModel;

// The sessions as a table, as both the main window and a capture window show them: one row selected at a time, no
// grid, fixed row heights, columns sized for their content, and Tab moving on to the next control (the arrow keys
// move inside the table).
class SessionTableView final : public QTableView
{
    Q_OBJECT

public:
    SessionTableView(SessionTableModel *model, QWidget *parent = nullptr);
};

} // namespace TlsLab::Widgets
