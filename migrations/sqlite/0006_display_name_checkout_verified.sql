-- What the owner calls the store, shown above its address name (NULL: none).
ALTER TABLE stores ADD COLUMN display_name TEXT;
-- Whether the store's last provisioning placed a real test order (1), or skipped
-- verification (0); NULL before the store was first Ready.
ALTER TABLE stores ADD COLUMN checkout_verified INTEGER;
-- Stores that were Ready before this column: the latest verification event says it.
UPDATE stores SET checkout_verified = COALESCE((
    SELECT CASE WHEN e.message LIKE 'Checkout verified%' THEN 1 ELSE 0 END
    FROM store_events e
    WHERE e.store_id = stores.id
      AND (e.message LIKE 'Checkout verified%' OR e.message LIKE 'Checkout verification skipped%')
    ORDER BY e.id DESC LIMIT 1), 0)
WHERE ready_at IS NOT NULL;
