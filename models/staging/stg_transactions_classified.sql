{#- Every raw row exactly once, parsed, with the reason it cannot be used (null when it can). The only model
    that reads the raw file: stg_transactions and rejected_transactions both select from this table.
    Incremental by file (macros/rfm_file_plan.sql): a run reads only new and changed files; the pre-hook has
    already removed the rows of changed and removed ones. The CTEs up to `checked` are read twice (first_copies
    and classified): rfm_not_materialized says when DuckDB rereads the input instead of holding them in memory.
    A CSV line that cannot be split into fields never reaches these CTEs: the post-hook quarantines it as
    'malformed_line' (macros/rfm_quarantine_malformed_lines.sql). -#}
{#- Named here at parse time: a var "{{ ref('orders') }}" makes this model depend on that model (the ref is
    rendered where the var is read). -#}
{%- if rfm_input_is_declared() %}
-- The input is a table or view: a source, for lineage (models/staging/_staging__sources.yml).
-- depends_on: {{ source('rfm_input', 'transactions') }}
{% endif -%}
{%- set columns = rfm_transactions_file_columns() -%}
{%- set as_of_date = rfm_as_of_date() -%}
{%- set missing_id_tokens = rfm_missing_id_tokens() -%}
{%- set missing_id_list -%}
    {%- for token in missing_id_tokens -%}{{ rfm_string_literal(token) }}{{ ', ' if not loop.last }}{%- endfor -%}
{%- endset -%}
{%- set not_materialized = rfm_not_materialized() -%}
{%- set has_orders = columns.order_id.name is not none -%}
{%- set identical_rows = rfm_identical_rows() -%}
{%- set files = none -%}
{%- if is_incremental() -%}
    {%- set files = rfm_file_plan(rfm_file_loads_relation(), this)
        | rejectattr('load_action', 'equalto', 'remove') | map(attribute='source_file') | list -%}
    {#- A table staged before order lines lacks their columns until this run adds them (on_schema_change). -#}
    {%- set staged_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
{%- endif -%}

with

source as {{ not_materialized }} (

    {{ read_transactions(columns, files) | indent(4) }}

),

parsed as {{ not_materialized }} (

    select
        source_row_number,
        source_file,
        read_position,

        ----------  ids
        {{ rfm_id_text('customer_id', columns.customer_id.is_fractional) }} as customer_id,
        {%- if columns.transaction_id.is_integer %}
            -- An integer id stays an integer here (100M unique strings cost more to write than the whole parse);
            -- stg_transactions shows it as text.
            transaction_id,
        {%- else %}
            {{ rfm_id_text('transaction_id', columns.transaction_id.is_fractional) }} as transaction_id,
        {%- endif %}

        {{ rfm_id_text('order_id', columns.order_id.is_fractional) }} as order_id,

        ----------  timestamps
        {{ rfm_parse_timestamp(
            'transaction_at', columns.transaction_at.is_text, rfm_transaction_at_format(), columns.transaction_at.is_integer
        ) }} as transaction_at,

        ----------  numerics
        {%- if columns.amount.name is not none %}
            {{ rfm_parse_amount('amount', columns.amount.is_text, rfm_amount_type()) }} as amount,
            cast(null as {{ rfm_line_value_type() }}) as quantity,
            cast(null as {{ rfm_line_value_type() }}) as unit_price,
        {%- else %}
            -- Order lines without an amount: the line's amount is made in `cleaned`.
            cast(null as {{ rfm_exact_sum_type() }}) as amount,
            {{ rfm_parse_amount('quantity', columns.quantity.is_text, rfm_line_value_type()) }} as quantity,
            {{ rfm_parse_amount('unit_price', columns.unit_price.is_text, rfm_line_value_type()) }} as unit_price,
        {%- endif %}

        ----------  original values, as read: cast to text only for rejected rows, at the end
        customer_id as original_customer_id,
        transaction_at as original_transaction_at,
        amount as original_amount,
        transaction_id as original_transaction_id,
        order_id as original_order_id,
        quantity as original_quantity,
        unit_price as original_unit_price

    from source

),

cleaned as {{ not_materialized }} (

    -- Texts that mean "no id" in exports (var missing_id_tokens: 'null', 'N/A', ...): no customer, or no
    -- transaction or order id (the row is then its own transaction, or its own purchase).
    -- A line's amount is quantity x unit price, exactly (up to 8 decimals): monetary is rounded to the cent
    -- once, per customer, not per line. A bad quantity or price leaves no amount: invalid_amount.
    select
        source_row_number,
        source_file,
        read_position,
        {%- if missing_id_tokens %}
            case when lower(customer_id) not in ({{ missing_id_list }}) then customer_id end as customer_id,
            {%- if columns.transaction_id.is_integer %}
                transaction_id,
            {%- else %}
                case
                    when lower(transaction_id) not in ({{ missing_id_list }}) then transaction_id
                end as transaction_id,
            {%- endif %}
            case when lower(order_id) not in ({{ missing_id_list }}) then order_id end as order_id,
        {%- else %}
            customer_id,
            transaction_id,
            order_id,
        {%- endif %}
        transaction_at,
        {%- if columns.amount.name is not none %}
            amount,
        {%- else %}
            -- Widened first: DuckDB multiplies two decimal(18, 4) within 18 digits (past 10^10 it fails).
            cast(cast(quantity as decimal(19, 4)) * unit_price as {{ rfm_exact_sum_type() }}) as amount,
        {%- endif %}
        quantity,
        unit_price,
        original_customer_id,
        original_transaction_at,
        original_amount,
        original_transaction_id,
        original_order_id,
        original_quantity,
        original_unit_price
    from parsed

),

checked as {{ not_materialized }} (

    -- Reasons in the contract's order: the first that matches wins. Checks of each value first, then of where
    -- the date falls.
    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            -- Years before 1 (BC dates, year 0) parse, but no export means them.
            when transaction_at is null or year(transaction_at) < 1 then 'invalid_transaction_at'
            when amount is null then 'invalid_amount'
            -- A typo date (2999-12-31, 1900-01-01) would move the default as-of date or scores by centuries.
            when
                transaction_at < cast('{{ rfm_earliest_plausible_date() }}' as date)
                or transaction_at >= cast('{{ rfm_date_plus_days(rfm_latest_plausible_date(), 1) }}' as date)
                then 'implausible_transaction_at'
            {%- if as_of_date is not none %}
            -- as_of_date is an exclusive bound: a transaction on that day is already after it.
            when transaction_at >= cast('{{ as_of_date }}' as date) then 'after_as_of_date'
            {%- endif %}
        end as row_reject_reason
    from cleaned

),

first_copies as (

    -- Duplicates are rare: the ids that occur more than once among otherwise usable rows, with the place of
    -- their earliest copy (files in name order, then rows), in one parallel aggregate (a window would sort
    -- every row with all its columns). Without a transaction_id column every id is null: nothing is a copy.
    -- With order_id, transaction_id is a line id inside its order, and an order is its customer's: the same
    -- order and line id of another customer is another line.
    select
        transaction_id,
        {%- if has_orders %}
            order_id,
            case when order_id is not null then customer_id end as order_customer_id,
        {%- endif %}
        min(read_position) as first_read_position
    from checked
    where row_reject_reason is null and transaction_id is not null
    group by
        transaction_id
        {%- if has_orders %}, order_id, case when order_id is not null then customer_id end{%- endif %}
    having count(*) > 1

),

{%- if files is not none %}

staged as (

    -- The rows kept from earlier runs; columns a table staged before order lines lacks are null.
    select
        customer_id,
        transaction_at,
        amount,
        transaction_id,
        reject_reason,
        {%- for name in ['order_id', 'quantity', 'unit_price'] %}
            {{ name if name in staged_columns else 'null' }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }}

),
{%- endif %}

already_staged as (

    {%- if files is not none %}
        -- Rows kept from earlier runs all come from files before the first changed one: their copies came
        -- first. The arriving rows are the join's small side, so the staged table is only probed.
        select distinct
            staged.transaction_id,
            staged.order_id,
            case when staged.order_id is not null then staged.customer_id end as order_customer_id
        from staged
        inner join checked as arriving
            on
                staged.transaction_id = arriving.transaction_id
                and staged.order_id is not distinct from arriving.order_id
                and (arriving.order_id is null or staged.customer_id = arriving.customer_id)
        where staged.reject_reason is null and arriving.row_reject_reason is null
    {%- else %}
        -- A full build: nothing was staged before.
        select
            checked.transaction_id,
            checked.order_id,
            checked.customer_id as order_customer_id
        from checked
        where false
    {%- endif %}

),
{%- if identical_rows == 'reject' %}

identical_first_copies as (

    -- identical_rows = 'reject': rows equal in every contract column (as parsed) among otherwise usable rows,
    -- with the place of their earliest copy, which stays.
    select
        customer_id,
        transaction_at,
        amount,
        transaction_id,
        order_id,
        quantity,
        unit_price,
        min(read_position) as first_read_position
    from checked
    where row_reject_reason is null
    group by customer_id, transaction_at, amount, transaction_id, order_id, quantity, unit_price
    having count(*) > 1

),

identical_already_staged as (

    {%- if files is not none %}
        -- As for ids: a usable row kept from an earlier run came first.
        select distinct
            staged.customer_id,
            staged.transaction_at,
            staged.amount,
            staged.transaction_id,
            staged.order_id,
            staged.quantity,
            staged.unit_price
        from staged
        inner join checked as arriving
            on {{ rfm_same_row('staged', 'arriving') }}
        where staged.reject_reason is null and arriving.row_reject_reason is null
    {%- else %}
        select
            checked.customer_id,
            checked.transaction_at,
            checked.amount,
            checked.transaction_id,
            checked.order_id,
            checked.quantity,
            checked.unit_price
        from checked
        where false
    {%- endif %}

),
{%- endif %}

classified as (

    -- Among otherwise usable rows, the earliest copy of a transaction_id stays (then, with identical_rows =
    -- 'reject', the earliest of identical rows).
    select
        checked.*,
        coalesce(
            checked.row_reject_reason,
            case
                when already_staged.transaction_id is not null then 'duplicate_transaction_id'
                when checked.read_position > first_copies.first_read_position
                    then 'duplicate_transaction_id'
                {%- if identical_rows == 'reject' %}
                when identical_already_staged.customer_id is not null then 'duplicate_row'
                when checked.read_position > identical_first_copies.first_read_position then 'duplicate_row'
                {%- endif %}
            end
        ) as reject_reason
    from checked
    left join first_copies
        on
            checked.transaction_id = first_copies.transaction_id
            {%- if has_orders %}
                and checked.order_id is not distinct from first_copies.order_id
                and (checked.order_id is null or checked.customer_id = first_copies.order_customer_id)
            {%- endif %}
            and checked.row_reject_reason is null
    left join already_staged
        on
            checked.transaction_id = already_staged.transaction_id
            and checked.order_id is not distinct from already_staged.order_id
            and (checked.order_id is null or checked.customer_id = already_staged.order_customer_id)
            and checked.row_reject_reason is null
    {%- if identical_rows == 'reject' %}
    left join identical_first_copies
        on {{ rfm_same_row('checked', 'identical_first_copies') }} and checked.row_reject_reason is null
    left join identical_already_staged
        on {{ rfm_same_row('checked', 'identical_already_staged') }} and checked.row_reject_reason is null
    {%- endif %}

),

final as (

    -- Original text only for rejected rows (computing it for every row costs more than the rest of the parse),
    -- for each contract column the input has.
    select
        source_row_number,
        transaction_id,
        customer_id,
        transaction_at,
        amount,
        order_id,
        quantity,
        unit_price,
        reject_reason,
        source_file,
        {%- for name in columns %}
            {%- if columns[name].name is none %}
                cast(null as {{ dbt.type_string() }}) as raw_{{ name }},
            {%- else %}
                case
                    when reject_reason is not null then cast(original_{{ name }} as {{ dbt.type_string() }})
                end as raw_{{ name }},
            {%- endif %}
        {%- endfor %}
        -- Only a malformed line has no fields, just its text: the post-hook adds those rows.
        cast(null as {{ dbt.type_string() }}) as raw_line
    from classified

)

select * from final
