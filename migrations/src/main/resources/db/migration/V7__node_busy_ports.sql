-- Ports of a node's compute range that another process on the host holds, as its agent last reported them
-- (comma-separated, ascending). Placement skips them: a compute there could not bind its port.
alter table nodes add column busy_ports text not null default '';
