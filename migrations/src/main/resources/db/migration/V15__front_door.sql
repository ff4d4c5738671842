-- The front door (ADR 0008): clients reach every database through one address and name it by its endpoint, a stable
-- routing name fixed at creation; computes listen on their Unix socket only, so nothing allocates ports any more.
alter table databases add column endpoint text;
-- Existing databases take the first 12 hex digits of their id: unique enough among them, and checked by the index.
update databases set endpoint = substr(replace(id::text, '-', ''), 1, 12) where endpoint is null;
alter table databases alter column endpoint set not null;
create unique index databases_endpoint on databases (endpoint);

drop index databases_live_port;
alter table databases drop column port;

-- Where other nodes' front doors relay connections for this node's computes: address:front_door_port.
alter table nodes add column front_door_port integer not null default 6432;
alter table nodes drop column port_min;
alter table nodes drop column port_max;
alter table nodes drop column busy_ports;
