-- The history's row for the current as-of date is customer_rfm itself: same customers, same scores, same
-- segment (rows in one and not the other, either way).
{%- set compared = [
    'as_of_date', 'customer_id', 'recency_days', 'frequency', 'refunds', 'monetary', 'avg_order_value',
    'tenure_days', 'r_score', 'f_score', 'm_score', 'rfm_cell', 'rfm_score', 'segment',
] %}

with

current_customers as (

    select * from {{ ref('customer_rfm') }}

),

history as (

    select * from {{ ref('customer_rfm_history') }}

),

current_rows as (

    select {{ compared | join(', ') }}
    from current_customers

),

history_rows as (

    select {{ compared | join(', ') }}
    from history
    where as_of_date = (select max(current_customers.as_of_date) from current_customers)

),

only_current as (

    select * from current_rows
    except
    select * from history_rows

),

only_history as (

    select * from history_rows
    except
    select * from current_rows

),

mismatches as (

    select
        'only in customer_rfm' as found,
        only_current.customer_id
    from only_current

    union all

    select
        'only in customer_rfm_history' as found,
        only_history.customer_id
    from only_history

)

select * from mismatches
