{#- Three customers of seeds/raw_orders.csv, computed by hand for as-of date 2025-07-01 (10 customers, quintiles:
    positions 1-2 of the worst-to-best order score 1, ..., 9-10 score 5; a tie group takes its first position's):
    C01, alone the most recent (2025-06-28), most frequent (6 orders) and highest spender (715.50): 555, Champions.
    C02, 5 orders and a refund of 30.00 two days after the last (a refund is no purchase and lowers monetary:
    290.00 - 30.00), last purchase 2025-06-10: recency 8th of 10 (R 4), frequency 9th (F 5), monetary 7th
    (M 4): 454, Champions.
    C10, alone the least recent (2024-08-15) and lowest (12.50), and with C09 the least frequent (1 order: the
    pair takes position 1's score): 111, Lost. -#}
with

expected as (

    select hand_computed.*
    from (
        values
        ('C01', 3, 6, 0, 715.50, 5, 5, 5, 'Champions'),
        ('C02', 21, 5, 1, 260.00, 4, 5, 4, 'Champions'),
        ('C10', 320, 1, 0, 12.50, 1, 1, 1, 'Lost')
    ) as hand_computed (
        customer_id, recency_days, frequency, refunds, monetary, r_score, f_score, m_score, segment
    )

),

actual as (

    select
        customer_id,
        recency_days,
        frequency,
        refunds,
        monetary,
        r_score,
        f_score,
        m_score,
        segment
    from {{ ref('rfm', 'customer_rfm') }}

),

validation_errors as (

    select
        expected.customer_id,
        actual.customer_id as found_customer_id
    from expected
    left join actual
        on expected.customer_id = actual.customer_id
    where
        actual.customer_id is null
        or actual.recency_days != expected.recency_days
        or actual.frequency != expected.frequency
        or actual.refunds != expected.refunds
        or actual.monetary != expected.monetary
        or actual.r_score != expected.r_score
        or actual.f_score != expected.f_score
        or actual.m_score != expected.m_score
        or actual.segment != expected.segment

)

select * from validation_errors
