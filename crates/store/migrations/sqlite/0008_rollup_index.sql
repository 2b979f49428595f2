-- The dashboard's roll-up counts the grassroots people of every organisation in a subtree:
-- with the flag in the index that count reads no table rows. The index still serves lookups by
-- organisation alone.
drop index person_org;
create index person_org on person (org_id, grassroots);
